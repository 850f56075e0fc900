package io.redwatch.collector.alerting;

import io.redwatch.collector.rules.Severity;
import java.util.List;

/**
 * What one message says, before a channel renders it: the alerts of one host grouped over
 * group_wait, plus the summary of what the rate limit held back. A notice may have no items when
 * it only carries that summary.
 */
public record Notice(String host, List<NoticeItem> items, SuppressedSummary suppressed) {
    public Notice {
        items = List.copyOf(items);
    }

    /** The most urgent severity among firing items, or null when all items are resolved. */
    public Severity worstFiring() {
        Severity worst = null;
        for (NoticeItem i : items) {
            if (i.kind() == NotificationKind.RESOLVED) continue;
            if (worst == null || i.severity().compareTo(worst) < 0) worst = i.severity();
        }
        return worst;
    }

    public long count(NotificationKind kind) {
        return items.stream().filter(i -> i.kind() == kind).count();
    }
}
