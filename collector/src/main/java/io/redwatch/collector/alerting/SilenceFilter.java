package io.redwatch.collector.alerting;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mute stage: splits a group's notifications into those to send and those a silence mutes.
 * Muted ones are recorded as suppressed by that silence, not dropped, so the history shows why
 * nobody was told.
 */
public final class SilenceFilter {
    private final List<Silence> silences;

    /** Mutes with {@code silences}: those in force now; the first that matches a notification mutes it. */
    public SilenceFilter(List<Silence> silences) {
        this.silences = List.copyOf(silences);
    }

    /**
     * A group's notifications, split.
     *
     * @param send     what no silence matches, in the order given
     * @param silenced silence id → the notification ids it muted
     */
    public record Split(List<PendingNotification> send, Map<Long, List<Long>> silenced) {}

    public Split split(List<PendingNotification> pending) {
        List<PendingNotification> send = new ArrayList<>();
        Map<Long, List<Long>> silenced = new LinkedHashMap<>();
        for (PendingNotification p : pending) {
            Silence s = matching(p.item());
            if (s == null) send.add(p);
            else silenced.computeIfAbsent(s.id(), k -> new ArrayList<>()).add(p.id());
        }
        return new Split(send, silenced);
    }

    private Silence matching(NoticeItem item) {
        for (Silence s : silences) {
            if (s.matches(item.rule(), item.instance(), item.host())) return s;
        }
        return null;
    }
}
