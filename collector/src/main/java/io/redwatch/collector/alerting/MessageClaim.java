package io.redwatch.collector.alerting;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import javax.sql.DataSource;

/**
 * Claims the next message to send, in one short transaction, by running the outbox's due rows
 * through the stages: grouping (hold what follows a recent message), silences, the rate limit, and
 * the summary of what the rate limit held back. What a stage stops is recorded on the way (held,
 * or suppressed with its reason); what passes is leased to this dispatcher.
 */
final class MessageClaim {
    private final DataSource db;
    private final NotificationOutbox outbox;
    private final Grouping grouping;
    private final RateLimit rateLimit;
    private final String dispatcherId;

    MessageClaim(DataSource db, NotificationOutbox outbox, AlertingConfig config, String dispatcherId) {
        this.db = db;
        this.outbox = outbox;
        this.grouping =
                new Grouping(config.groupInterval().toMillis(), config.lease().toMillis());
        this.rateLimit =
                new RateLimit(config.rateLimitMessages(), config.rateLimitPer().toMillis());
        this.dispatcherId = dispatcherId;
    }

    /** The next due group of {@code channel}, claimed; empty when nothing (more) is due. */
    Optional<ClaimedMessage> next(String channel, long nowMs) {
        return inTransaction("claim notifications for " + channel, c -> next(c, channel, nowMs));
    }

    private Optional<ClaimedMessage> next(Connection c, String channel, long nowMs) throws SQLException {
        SilenceFilter silences = null;
        for (Optional<MessageGroup> due = outbox.nextDue(c, channel, nowMs);
                due.isPresent();
                due = outbox.nextDue(c, channel, nowMs)) {
            MessageGroup g = due.get();
            outbox.lockRecipient(c, channel, g.recipient());
            OptionalLong last = grouping.holds()
                    ? outbox.lastMessageAt(c, g, grouping.lookBackFrom(nowMs), grouping.liveSendingFrom(nowMs))
                    : OptionalLong.empty();
            long heldUntil = grouping.heldUntil(last, nowMs);
            if (heldUntil > nowMs) {
                outbox.hold(c, g, heldUntil, nowMs);
                continue;
            }
            if (silences == null) silences = new SilenceFilter(SilenceStore.active(c, nowMs));
            SilenceFilter.Split split = silences.split(outbox.pending(c, g, nowMs));
            for (Map.Entry<Long, List<Long>> e : split.silenced().entrySet()) {
                outbox.markSuppressed(c, e.getValue(), "silence " + e.getKey());
            }
            if (split.send().isEmpty()) continue;
            List<Long> ids = new ArrayList<>();
            for (PendingNotification p : split.send()) ids.add(p.id());
            if (!rateLimit.allows(outbox.messagesSince(c, channel, g.recipient(), rateLimit.windowStart(nowMs)))) {
                outbox.markSuppressed(c, ids, NotificationOutbox.RATE_LIMIT);
                continue;
            }
            List<HeldBackNotification> heldBack = outbox.heldBack(c, channel, g.recipient());
            Notice notice = grouping.notice(g.host(), split.send(), Summariser.summarise(heldBack));
            List<Long> summarised = idsOf(heldBack);
            long messageId = outbox.claim(c, g, ids, summarised, nowMs);
            return Optional.of(new ClaimedMessage(messageId, channel, g.recipient(), ids, summarised, notice));
        }
        return Optional.empty();
    }

    /** A message that only tells what the rate limit held back, once the window has room again. */
    Optional<ClaimedMessage> summary(String channel, String recipient, long nowMs) {
        return inTransaction("summarise suppressed notifications for " + channel, c -> {
            outbox.lockRecipient(c, channel, recipient);
            if (!rateLimit.allows(outbox.messagesSince(c, channel, recipient, rateLimit.windowStart(nowMs)))) {
                return Optional.<ClaimedMessage>empty();
            }
            List<HeldBackNotification> heldBack = outbox.heldBack(c, channel, recipient);
            if (heldBack.isEmpty()) return Optional.<ClaimedMessage>empty();
            List<Long> summarised = idsOf(heldBack);
            Notice notice = new Notice("", List.of(), Summariser.summarise(heldBack));
            long messageId = outbox.claim(c, new MessageGroup(channel, recipient, null), List.of(), summarised, nowMs);
            return Optional.of(new ClaimedMessage(messageId, channel, recipient, List.of(), summarised, notice));
        });
    }

    List<String> recipientsWithHeldBack(String channel) {
        return inTransaction(
                "find suppressed notifications for " + channel, c -> outbox.recipientsWithHeldBack(c, channel));
    }

    void record(ClaimedMessage m, Delivery d, long nowMs) {
        inTransaction("record the outcome of message " + m.messageId(), c -> {
            outbox.record(c, m, d, nowMs);
            return null;
        });
    }

    private static List<Long> idsOf(List<HeldBackNotification> heldBack) {
        List<Long> ids = new ArrayList<>();
        for (HeldBackNotification h : heldBack) ids.add(h.id());
        return ids;
    }

    private <T> T inTransaction(String what, Transaction.Work<T> work) {
        return Transaction.run(
                db,
                work,
                e -> new AlertingException(
                        "dispatcher " + dispatcherId + " could not " + what + ": " + e.getMessage(), e));
    }
}
