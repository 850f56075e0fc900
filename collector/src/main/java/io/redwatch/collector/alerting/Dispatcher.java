package io.redwatch.collector.alerting;

import io.redwatch.collector.faultinjection.CrashPoint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Sends what the outbox holds, one message at a time: claim (through the stages of
 * {@link MessageClaim}), send outside any transaction, record the outcome. Several dispatchers on
 * one database never claim the same row; rows of a dispatcher that died are claimed again once its
 * lease has expired.
 */
public final class Dispatcher {
    private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());
    /** Test-only (off unless -Dredwatch.test.crashAfterClaim=N): dies holding a lease, before sending. */
    private static final CrashPoint CRASH_AFTER_CLAIM = CrashPoint.named("crashAfterClaim");
    /** Test-only (off unless -Dredwatch.test.crashAfterSend=N): dies after a message went out, before it is marked sent. */
    private static final CrashPoint CRASH_AFTER_SEND = CrashPoint.named("crashAfterSend");

    private final Map<String, Channel> channels;
    private final MessageClaim claim;
    private final String id;

    /**
     * @param id names this dispatcher in claimed_by; unique per running collector
     */
    public Dispatcher(DataSource db, List<Channel> channels, AlertingConfig config, String id) {
        Map<String, Channel> byName = new LinkedHashMap<>();
        for (Channel c : channels) byName.put(c.name(), c);
        this.channels = Map.copyOf(byName);
        this.claim = new MessageClaim(db, new NotificationOutbox(id, config), config, id);
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Sends everything due on every channel; returns how many messages it tried to send. */
    public int dispatchOnce(long nowMs) {
        int n = 0;
        for (String channel : channels.keySet()) n += dispatchOnce(channel, nowMs);
        return n;
    }

    /**
     * Sends everything due on one channel (each channel runs its own loop so that a channel that
     * is down never delays another); returns how many messages it tried to send.
     */
    public int dispatchOnce(String channel, long nowMs) {
        int sent = 0;
        for (Optional<ClaimedMessage> m = claim.next(channel, nowMs); m.isPresent(); m = claim.next(channel, nowMs)) {
            CRASH_AFTER_CLAIM.reached("message " + m.get().messageId() + " on " + channel + " claimed, not sent");
            deliver(m.get(), nowMs);
            sent++;
        }
        for (String recipient : claim.recipientsWithHeldBack(channel)) {
            Optional<ClaimedMessage> summary = claim.summary(channel, recipient, nowMs);
            if (summary.isPresent()) {
                deliver(summary.get(), nowMs);
                sent++;
            }
        }
        return sent;
    }

    /** Claims the next due message of {@code channel} without sending it; the lease starts now. */
    Optional<ClaimedMessage> claimNext(String channel, long nowMs) {
        return claim.next(channel, nowMs);
    }

    /** Sends a claimed message and records the outcome. */
    void deliver(ClaimedMessage m, long nowMs) {
        Delivery d = send(m);
        if (d.outcome() == Delivery.Outcome.SENT) {
            CRASH_AFTER_SEND.reached("message " + m.messageId() + " on " + m.channel() + " sent, not marked sent");
        }
        claim.record(m, d, Math.max(nowMs, System.currentTimeMillis()));
        if (d.outcome() != Delivery.Outcome.SENT) {
            LOG.log(
                    d.outcome() == Delivery.Outcome.PERMANENT ? Level.WARNING : Level.INFO,
                    () -> m.channel() + " to " + m.recipient() + " failed ("
                            + d.outcome().name().toLowerCase(Locale.ROOT) + "): " + d.detail()
                            + " [" + m.notificationIds().size() + " notifications]");
        }
    }

    private Delivery send(ClaimedMessage m) {
        Channel channel = channels.get(m.channel());
        if (channel == null) return Delivery.permanentFailure("channel " + m.channel() + " is no longer configured");
        try {
            return channel.send(m.recipient(), m.notice());
        } catch (RuntimeException e) {
            return Delivery.transientFailure(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
