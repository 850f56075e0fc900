package io.redwatch.collector.alerting;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;

/**
 * The grouping stage. The first message about a host leaves as soon as it is due; what follows for
 * that host and recipient waits until group_interval after the last message, and then goes out as
 * one message (Alertmanager's group_interval), so a storm stays a handful of messages.
 *
 * @param intervalMs group_interval; 0 or less sends every group as soon as it is due
 * @param leaseMs    a message still 'sending' longer than this belongs to a dispatcher that died
 */
public record Grouping(long intervalMs, long leaseMs) {
    /** Firing before resolved, the most urgent first, then by instance and rule. */
    static final Comparator<NoticeItem> ORDER = Comparator.comparing(
                    (NoticeItem i) -> i.kind() == NotificationKind.RESOLVED)
            .thenComparing(NoticeItem::severity)
            .thenComparing(NoticeItem::instance)
            .thenComparing(NoticeItem::rule);

    /** Whether earlier messages can hold a group back at all (when not, nobody needs to look). */
    public boolean holds() {
        return intervalMs > 0;
    }

    /** Only messages created after this moment can hold a group at {@code nowMs}. */
    public long lookBackFrom(long nowMs) {
        return nowMs - intervalMs;
    }

    /** Older 'sending' messages never went out: their dispatcher died holding the lease. */
    public long liveSendingFrom(long nowMs) {
        return nowMs - leaseMs;
    }

    /**
     * When the group may be sent: {@code nowMs} when no message went to it within the interval,
     * else group_interval after the last one.
     */
    public long heldUntil(OptionalLong lastMessageMs, long nowMs) {
        if (!holds() || lastMessageMs.isEmpty()) return nowMs;
        return Math.max(nowMs, lastMessageMs.getAsLong() + intervalMs);
    }

    /** One message of everything the group holds, in the order people read it. */
    public Notice notice(String host, List<PendingNotification> send, SuppressedSummary summary) {
        List<NoticeItem> items = new ArrayList<>();
        for (PendingNotification p : send) items.add(p.item());
        items.sort(ORDER);
        return new Notice(host, items, summary);
    }
}
