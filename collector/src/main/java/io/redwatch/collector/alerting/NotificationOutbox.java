package io.redwatch.collector.alerting;

import static io.redwatch.collector.alerting.AlertStore.text;
import static io.redwatch.collector.alerting.Timestamps.millis;
import static io.redwatch.collector.alerting.Timestamps.ts;

import io.redwatch.collector.rules.Severity;
import io.vertx.core.json.JsonArray;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The {@code notifications} table (and the {@code alert_messages} it is sent in): written first,
 * sent later, so a crash never loses a page. Rows are claimed with {@code FOR UPDATE SKIP LOCKED}
 * and then leased in claimed_by/claimed_until, so several dispatchers on one database never send
 * one twice, and the rows of a dispatcher that died are claimed again once its lease has expired.
 * Every method runs in the caller's transaction.
 */
final class NotificationOutbox {
    static final String RATE_LIMIT = "rate_limit";
    private static final int MAX_ERROR_LENGTH = 2000;

    private final String dispatcherId;
    private final AlertingConfig config;

    /**
     * @param dispatcherId names the claimer in claimed_by; unique per running collector
     */
    NotificationOutbox(String dispatcherId, AlertingConfig config) {
        this.dispatcherId = dispatcherId;
        this.config = config;
    }

    /** Writes one pending row per notification, due at {@code dueMs}; returns how many. */
    static int enqueue(Connection c, String host, List<NewNotification> rows, long nowMs, long dueMs)
            throws SQLException {
        if (rows.isEmpty()) return 0;
        Long[] ids = new Long[rows.size()];
        String[] kinds = new String[rows.size()];
        String[] channels = new String[rows.size()];
        String[] to = new String[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            NewNotification n = rows.get(i);
            ids[i] = n.alertId();
            kinds[i] = n.kind().word();
            channels[i] = n.channel();
            to[i] = n.recipient();
        }
        String sql = "INSERT INTO notifications (alert_id, kind, channel, recipient, host, status, created_at,"
                + " next_attempt_at) SELECT u.a, u.k, u.c, u.r, ?, 'pending', ?, ?"
                + " FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[]) AS u(a, k, c, r)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, host);
            ps.setObject(2, ts(nowMs));
            ps.setObject(3, ts(dueMs));
            ps.setArray(4, c.createArrayOf("bigint", ids));
            ps.setArray(5, text(c, kinds));
            ps.setArray(6, text(c, channels));
            ps.setArray(7, text(c, to));
            return ps.executeUpdate();
        }
    }

    /** The group of the oldest due, unleased row of {@code channel}; empty when nothing is due. */
    Optional<MessageGroup> nextDue(Connection c, String channel, long nowMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT recipient, host FROM notifications"
                + " WHERE status = 'pending' AND channel = ? AND next_attempt_at <= ?"
                + " AND (claimed_until IS NULL OR claimed_until <= ?)"
                + " ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED")) {
            ps.setString(1, channel);
            ps.setObject(2, ts(nowMs));
            ps.setObject(3, ts(nowMs));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(new MessageGroup(channel, rs.getString(1), rs.getString(2)));
            }
        }
    }

    /** Serialises rate-limit decisions for one recipient across dispatchers (released at commit). */
    void lockRecipient(Connection c, String channel, String recipient) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
            ps.setString(1, "redwatch.notify:" + channel + ":" + recipient);
            ps.execute();
        }
    }

    /**
     * When the group's last message after {@code sinceMs} was created; a message still 'sending'
     * from before {@code liveSendingSinceMs} is past its lease, its dispatcher died, and it never
     * went out.
     */
    OptionalLong lastMessageAt(Connection c, MessageGroup g, long sinceMs, long liveSendingSinceMs)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT max(created_at) FROM alert_messages WHERE channel = ?"
                + " AND recipient = ? AND host = ? AND created_at > ?"
                + " AND (status = 'sent' OR status = 'sending' AND created_at > ?)")) {
            ps.setString(1, g.channel());
            ps.setString(2, g.recipient());
            ps.setString(3, g.host());
            ps.setObject(4, ts(sinceMs));
            ps.setObject(5, ts(liveSendingSinceMs));
            try (ResultSet rs = ps.executeQuery()) {
                OffsetDateTime last = rs.next() ? rs.getObject(1, OffsetDateTime.class) : null;
                return last == null ? OptionalLong.empty() : OptionalLong.of(millis(last));
            }
        }
    }

    /** Moves the group's pending rows to {@code untilMs}, so they are not picked again before then. */
    void hold(Connection c, MessageGroup g, long untilMs, long nowMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE notifications SET next_attempt_at = ? WHERE id IN ("
                        + "SELECT id FROM notifications WHERE status = 'pending' AND channel = ? AND recipient = ? AND host = ?"
                        + " AND next_attempt_at < ? AND (claimed_until IS NULL OR claimed_until <= ?) FOR UPDATE SKIP LOCKED)")) {
            ps.setObject(1, ts(untilMs));
            ps.setString(2, g.channel());
            ps.setString(3, g.recipient());
            ps.setString(4, g.host());
            ps.setObject(5, ts(untilMs));
            ps.setObject(6, ts(nowMs));
            ps.executeUpdate();
        }
    }

    /** Locks and reads every pending, unleased row of the group, due or still waiting out group_wait. */
    List<PendingNotification> pending(Connection c, MessageGroup g, long nowMs) throws SQLException {
        List<PendingNotification> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT n.id, n.alert_id, n.kind, a.rule, a.severity,"
                + " a.instance, a.host, a.summary, a.evidence::text, a.advice, a.started_at, a.resolved_at"
                + " FROM notifications n JOIN alerts a ON a.id = n.alert_id"
                + " WHERE n.status = 'pending' AND n.channel = ? AND n.recipient = ? AND n.host = ?"
                + " AND (n.claimed_until IS NULL OR n.claimed_until <= ?)"
                + " ORDER BY n.id FOR UPDATE OF n SKIP LOCKED")) {
            ps.setString(1, g.channel());
            ps.setString(2, g.recipient());
            ps.setString(3, g.host());
            ps.setObject(4, ts(nowMs));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    OffsetDateTime resolved = rs.getObject(12, OffsetDateTime.class);
                    List<String> evidence = new ArrayList<>();
                    for (Object o : new JsonArray(rs.getString(9))) evidence.add(String.valueOf(o));
                    out.add(new PendingNotification(
                            rs.getLong(1),
                            new NoticeItem(
                                    rs.getLong(2),
                                    NotificationKind.ofWord(rs.getString(3)),
                                    rs.getString(4),
                                    Severity.ofWord(rs.getString(5)),
                                    rs.getString(6),
                                    rs.getString(7),
                                    rs.getString(8),
                                    evidence,
                                    rs.getString(10),
                                    millis(rs.getObject(11, OffsetDateTime.class)),
                                    resolved == null ? 0 : millis(resolved))));
                }
            }
        }
        return out;
    }

    /** Records rows as suppressed, not sent; {@code why} names the silence or the rate limit. */
    void markSuppressed(Connection c, List<Long> ids, String why) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE notifications SET status = 'suppressed',"
                + " suppressed_by = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ANY(?)")) {
            ps.setString(1, why);
            ps.setArray(2, c.createArrayOf("bigint", ids.toArray(new Long[0])));
            ps.executeUpdate();
        }
    }

    /** Messages to the recipient created after {@code sinceMs} that went or are going out. */
    int messagesSince(Connection c, String channel, String recipient, long sinceMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM alert_messages WHERE channel = ?"
                + " AND recipient = ? AND status IN ('sending', 'sent') AND created_at > ?")) {
            ps.setString(1, channel);
            ps.setString(2, recipient);
            ps.setObject(3, ts(sinceMs));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Locks and reads the rate-limited rows of this recipient not yet told in any message. */
    List<HeldBackNotification> heldBack(Connection c, String channel, String recipient) throws SQLException {
        List<HeldBackNotification> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT n.id, n.created_at, a.rule, a.instance"
                + " FROM notifications n JOIN alerts a ON a.id = n.alert_id"
                + " WHERE n.status = 'suppressed' AND n.suppressed_by = 'rate_limit' AND n.message_id IS NULL"
                + " AND n.channel = ? AND n.recipient = ? ORDER BY n.id FOR UPDATE OF n SKIP LOCKED")) {
            ps.setString(1, channel);
            ps.setString(2, recipient);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new HeldBackNotification(
                            rs.getLong(1),
                            millis(rs.getObject(2, OffsetDateTime.class)),
                            rs.getString(3),
                            rs.getString(4)));
                }
            }
        }
        return out;
    }

    /** Recipients of {@code channel} with rate-limited rows no message has told of yet. */
    List<String> recipientsWithHeldBack(Connection c, String channel) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT recipient FROM notifications"
                + " WHERE status = 'suppressed' AND suppressed_by = 'rate_limit' AND message_id IS NULL"
                + " AND channel = ?")) {
            ps.setString(1, channel);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }

    /**
     * Creates the message row ('sending') and leases its notifications to this dispatcher; the
     * summarised rows are tied to it so that no other message tells of them.
     */
    long claim(Connection c, MessageGroup g, List<Long> ids, List<Long> summarised, long nowMs) throws SQLException {
        long messageId;
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO alert_messages (channel, recipient, host, status,"
                        + " created_at, alerts, suppressed_count, claimed_by) VALUES (?, ?, ?, 'sending', ?, ?, ?, ?) RETURNING id")) {
            ps.setString(1, g.channel());
            ps.setString(2, g.recipient());
            ps.setString(3, g.host());
            ps.setObject(4, ts(nowMs));
            ps.setInt(5, ids.size());
            ps.setInt(6, summarised.size());
            ps.setString(7, dispatcherId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                messageId = rs.getLong(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE notifications SET claimed_by = ?, claimed_until = ?," + " message_id = ? WHERE id = ANY(?)")) {
            ps.setString(1, dispatcherId);
            ps.setObject(2, ts(nowMs + config.lease().toMillis()));
            ps.setLong(3, messageId);
            ps.setArray(4, c.createArrayOf("bigint", ids.toArray(new Long[0])));
            ps.executeUpdate();
        }
        setMessage(c, summarised, messageId);
        return messageId;
    }

    private static void setMessage(Connection c, List<Long> ids, Long messageId) throws SQLException {
        if (ids.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement("UPDATE notifications SET message_id = ? WHERE id = ANY(?)")) {
            if (messageId == null) ps.setNull(1, Types.BIGINT);
            else ps.setLong(1, messageId);
            ps.setArray(2, c.createArrayOf("bigint", ids.toArray(new Long[0])));
            ps.executeUpdate();
        }
    }

    /** Records what became of a claimed message, on the rows this dispatcher still holds. */
    void record(Connection c, ClaimedMessage m, Delivery d, long nowMs) throws SQLException {
        Long[] ids = m.notificationIds().toArray(new Long[0]);
        String detail = truncate(d.detail());
        switch (d.outcome()) {
            case SENT -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE notifications SET status = 'sent', sent_at = ?,"
                        + " attempts = attempts + 1, error = NULL, claimed_by = NULL, claimed_until = NULL"
                        + " WHERE id = ANY(?) AND claimed_by = ?")) {
                    ps.setObject(1, ts(nowMs));
                    ps.setArray(2, c.createArrayOf("bigint", ids));
                    ps.setString(3, dispatcherId);
                    ps.executeUpdate();
                }
            }
            case TRANSIENT -> {
                // Capped exponential backoff; after max_attempts the row fails with the last error.
                try (PreparedStatement ps = c.prepareStatement("UPDATE notifications SET"
                        + " attempts = attempts + 1, error = ?, claimed_by = NULL, claimed_until = NULL, message_id = NULL,"
                        + " status = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE 'pending' END,"
                        + " next_attempt_at = ?::timestamptz"
                        + " + least(?::bigint, ?::bigint * power(2, least(attempts, 30))::bigint) * interval '1 millisecond'"
                        + " WHERE id = ANY(?) AND claimed_by = ?")) {
                    ps.setString(1, detail);
                    ps.setInt(2, config.maxAttempts());
                    ps.setObject(3, ts(nowMs));
                    ps.setLong(4, config.retryMax().toMillis());
                    ps.setLong(5, config.retryInitial().toMillis());
                    ps.setArray(6, c.createArrayOf("bigint", ids));
                    ps.setString(7, dispatcherId);
                    ps.executeUpdate();
                }
            }
            case PERMANENT -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE notifications SET status = 'failed',"
                        + " attempts = attempts + 1, error = ?, claimed_by = NULL, claimed_until = NULL"
                        + " WHERE id = ANY(?) AND claimed_by = ?")) {
                    ps.setString(1, detail);
                    ps.setArray(2, c.createArrayOf("bigint", ids));
                    ps.setString(3, dispatcherId);
                    ps.executeUpdate();
                }
            }
        }
        boolean sent = d.outcome() == Delivery.Outcome.SENT;
        if (!sent) {
            // What this message would have summarised is told by the next one instead.
            setMessage(c, m.summarisedIds(), null);
        }
        try (PreparedStatement ps =
                c.prepareStatement("UPDATE alert_messages SET status = ?, sent_at = ?, error = ?" + " WHERE id = ?")) {
            ps.setString(1, sent ? "sent" : "failed");
            ps.setObject(2, sent ? ts(nowMs) : null);
            ps.setString(3, sent ? null : detail);
            ps.setLong(4, m.messageId());
            ps.executeUpdate();
        }
    }

    private static String truncate(String s) {
        return s == null || s.length() <= MAX_ERROR_LENGTH ? s : s.substring(0, MAX_ERROR_LENGTH);
    }
}
