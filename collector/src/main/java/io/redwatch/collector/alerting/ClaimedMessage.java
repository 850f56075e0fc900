package io.redwatch.collector.alerting;

import java.util.List;

/**
 * A message claimed and leased, ready to send: the row in {@code alert_messages} it is, the
 * notifications it carries, and the rate-limited ones its summary tells of.
 */
public record ClaimedMessage(
        long messageId,
        String channel,
        String recipient,
        List<Long> notificationIds,
        List<Long> summarisedIds,
        Notice notice) {
    public ClaimedMessage {
        notificationIds = List.copyOf(notificationIds);
        summarisedIds = List.copyOf(summarisedIds);
    }
}
