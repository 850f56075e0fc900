package io.redwatch.collector.alerting;

import io.redwatch.collector.rules.Severity;
import java.util.List;

/** One alert in a message: what it is about and why it is being sent now. */
public record NoticeItem(
        long alertId,
        NotificationKind kind,
        String rule,
        Severity severity,
        String instance,
        String host,
        String summary,
        List<String> evidence,
        String advice,
        long startedAtMs,
        long resolvedAtMs) {
    public NoticeItem {
        evidence = List.copyOf(evidence);
    }

    /** {@code fork_enomem on db1:6379}: how people name an alert. */
    public String title() {
        return rule + " on " + instance;
    }
}
