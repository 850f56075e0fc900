package io.redwatch.collector.alerting;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The summary stage: what the rate limit held back, told in the next message that goes out
 * ("and 37 more alerts suppressed since 03:12: …") instead of being lost or sent one by one.
 */
public final class Summariser {
    static final int MAX_EXAMPLES = 5;

    private Summariser() {}

    /**
     * Summarises what the rate limit held back.
     *
     * @param heldBack in the order they were written; the earliest names each rule's example
     * @return the count, the earliest time, and a few examples, the most frequent rules first:
     *         {@code rule on instance} for a rule held back once, {@code rule ×N} otherwise
     */
    public static SuppressedSummary summarise(List<HeldBackNotification> heldBack) {
        if (heldBack.isEmpty()) return SuppressedSummary.NONE;
        long since = Long.MAX_VALUE;
        Map<String, Integer> byRule = new LinkedHashMap<>();
        Map<String, String> firstTitle = new HashMap<>();
        for (HeldBackNotification h : heldBack) {
            since = Math.min(since, h.createdAtMs());
            byRule.merge(h.rule(), 1, Integer::sum);
            firstTitle.putIfAbsent(h.rule(), h.rule() + " on " + h.instance());
        }
        List<String> examples = new ArrayList<>();
        byRule.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(MAX_EXAMPLES)
                .forEach(e -> examples.add(
                        e.getValue() == 1 ? firstTitle.get(e.getKey()) : e.getKey() + " ×" + e.getValue()));
        return new SuppressedSummary(heldBack.size(), since, examples);
    }
}
