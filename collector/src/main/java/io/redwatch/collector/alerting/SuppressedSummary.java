package io.redwatch.collector.alerting;

import java.util.List;

/**
 * Notifications the rate limit held back since the last message to this recipient, told in the
 * next one that goes out ("and 37 more alerts suppressed since 03:12: …").
 *
 * @param examples a few titles ({@code rule on instance}), most frequent rules first
 */
public record SuppressedSummary(int count, long sinceMs, List<String> examples) {
    public static final SuppressedSummary NONE = new SuppressedSummary(0, 0, List.of());

    public SuppressedSummary {
        examples = List.copyOf(examples);
    }

    public boolean isEmpty() {
        return count == 0;
    }
}
