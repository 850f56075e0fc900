package io.redwatch.collector.alerting;

import io.redwatch.collector.config.AlertingConfig;
import io.redwatch.collector.faultinjection.CrashPoint;
import io.redwatch.collector.rules.Severity;
import io.vertx.core.json.JsonArray;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Sends what the outbox holds. One group at a time (one channel, recipient and host), it claims
 * the due notifications in a short transaction ({@code FOR UPDATE SKIP LOCKED}, then a lease in
 * claimed_by/claimed_until), applies silences and the rate limit, sends one message outside any
 * transaction, and records the outcome. Several dispatchers on one database never claim the same
 * row; rows of a dispatcher that died are claimed again once its lease has expired.
 */
public final class Dispatcher {
    private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());
    private static final String RATE_LIMIT = "rate_limit";
    private static final int MAX_SUMMARY_EXAMPLES = 5;
    /** Test-only (off unless -Dredwatch.test.crashAfterClaim=N): dies holding a lease, before sending. */
    private static final CrashPoint CRASH_AFTER_CLAIM = CrashPoint.named("crashAfterClaim");
    /** Test-only (off unless -Dredwatch.test.crashAfterSend=N): dies after a message went out, before it is marked sent. */
    private static final CrashPoint CRASH_AFTER_SEND = CrashPoint.named("crashAfterSend");

    private final DataSource db;
    private final Map<String, Channel> channels;
    private final AlertingConfig config;
    private final String id;

    /** A claimed group, ready to send: the notifications it carries and the message row it is. */
    record Batch(long messageId, String channel, String recipient, List<Long> notificationIds,
                 List<Long> summarisedIds, Notice notice) {
    }

    /**
     * @param id names this dispatcher in claimed_by; unique per running collector
     */
    public Dispatcher(DataSource db, List<Channel> channels, AlertingConfig config, String id) {
        this.db = db;
        Map<String, Channel> byName = new LinkedHashMap<>();
        for (Channel c : channels) byName.put(c.name(), c);
        this.channels = Map.copyOf(byName);
        this.config = config;
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
        Optional<Batch> b;
        while ((b = claimNext(channel, nowMs)).isPresent()) {
            CRASH_AFTER_CLAIM.reached("message " + b.get().messageId() + " on " + channel + " claimed, not sent");
            deliver(b.get(), nowMs);
            sent++;
        }
        for (String recipient : recipientsWithUnsummarised(channel)) {
            Optional<Batch> summary = claimSummary(channel, recipient, nowMs);
            if (summary.isPresent()) {
                deliver(summary.get(), nowMs);
                sent++;
            }
        }
        return sent;
    }

    /**
     * Claims the next due group of {@code channel}, marking silenced and rate-limited rows on the
     * way; empty when nothing (more) is due. The lease starts now.
     */
    Optional<Batch> claimNext(String channel, long nowMs) {
        return inTransaction("claim notifications for " + channel, c -> {
            List<Silence> silences = null;
            while (true) {
                String recipient;
                String host;
                try (PreparedStatement ps = c.prepareStatement("SELECT recipient, host FROM notifications"
                        + " WHERE status = 'pending' AND channel = ? AND next_attempt_at <= ?"
                        + " AND (claimed_until IS NULL OR claimed_until <= ?)"
                        + " ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED")) {
                    ps.setString(1, channel);
                    ps.setObject(2, AlertTracker.ts(nowMs));
                    ps.setObject(3, AlertTracker.ts(nowMs));
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) return Optional.<Batch>empty();
                        recipient = rs.getString(1);
                        host = rs.getString(2);
                    }
                }
                lockRecipient(c, channel, recipient);
                long heldUntil = groupHeldUntil(c, channel, recipient, host, nowMs);
                if (heldUntil > nowMs) {
                    holdGroup(c, channel, recipient, host, heldUntil, nowMs);
                    continue;
                }
                if (silences == null) silences = SilenceStore.active(c, nowMs);
                List<NoticeItem> items = new ArrayList<>();
                List<Long> ids = new ArrayList<>();
                claimGroup(c, channel, recipient, host, nowMs, silences, items, ids);
                if (ids.isEmpty()) continue;  // all of it silenced
                if (sentWithinWindow(c, channel, recipient, nowMs) >= config.rateLimitMessages()) {
                    markSuppressed(c, ids, RATE_LIMIT);
                    continue;
                }
                List<Long> summarised = new ArrayList<>();
                SuppressedSummary summary = summarise(c, channel, recipient, summarised);
                items.sort(ORDER);
                Notice notice = new Notice(host, items, summary);
                long messageId = insertMessage(c, channel, recipient, host, ids.size(), summary.count(), nowMs);
                lease(c, ids, summarised, messageId, nowMs);
                return Optional.of(new Batch(messageId, channel, recipient, ids, summarised, notice));
            }
        });
    }

    /** A message that only tells what the rate limit held back, once the window has room again. */
    Optional<Batch> claimSummary(String channel, String recipient, long nowMs) {
        return inTransaction("summarise suppressed notifications for " + channel, c -> {
            lockRecipient(c, channel, recipient);
            if (sentWithinWindow(c, channel, recipient, nowMs) >= config.rateLimitMessages()) {
                return Optional.<Batch>empty();
            }
            List<Long> summarised = new ArrayList<>();
            SuppressedSummary summary = summarise(c, channel, recipient, summarised);
            if (summary.isEmpty()) return Optional.<Batch>empty();
            long messageId = insertMessage(c, channel, recipient, null, 0, summary.count(), nowMs);
            lease(c, List.of(), summarised, messageId, nowMs);
            return Optional.of(new Batch(messageId, channel, recipient, List.of(), summarised,
                    new Notice("", List.of(), summary)));
        });
    }

    /** Sends a claimed batch and records the outcome. */
    void deliver(Batch b, long nowMs) {
        Channel channel = channels.get(b.channel());
        Delivery d;
        if (channel == null) {
            d = Delivery.permanentFailure("channel " + b.channel() + " is no longer configured");
        } else {
            try {
                d = channel.send(b.recipient(), b.notice());
            } catch (RuntimeException e) {
                d = Delivery.transientFailure(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        if (d.outcome() == Delivery.Outcome.SENT) {
            CRASH_AFTER_SEND.reached("message " + b.messageId() + " on " + b.channel() + " sent, not marked sent");
        }
        Delivery outcome = d;
        long doneMs = Math.max(nowMs, System.currentTimeMillis());
        inTransaction("record the outcome of message " + b.messageId(), c -> {
            record(c, b, outcome, doneMs);
            return null;
        });
        if (outcome.outcome() != Delivery.Outcome.SENT) {
            LOG.log(outcome.outcome() == Delivery.Outcome.PERMANENT ? Level.WARNING : Level.INFO,
                    () -> b.channel() + " to " + b.recipient() + " failed (" + outcome.outcome().name().toLowerCase()
                            + "): " + outcome.detail() + " [" + b.notificationIds().size() + " notifications]");
        }
    }

    private List<String> recipientsWithUnsummarised(String channel) {
        return inTransaction("find suppressed notifications for " + channel, c -> {
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
        });
    }

    /** Every pending, unleased row of the group, due or still waiting out group_wait. */
    private void claimGroup(Connection c, String channel, String recipient, String host, long nowMs,
                            List<Silence> silences, List<NoticeItem> items, List<Long> ids) throws SQLException {
        Map<Long, List<Long>> silenced = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT n.id, n.alert_id, n.kind, a.rule, a.severity,"
                + " a.instance, a.host, a.summary, a.evidence::text, a.advice, a.started_at, a.resolved_at"
                + " FROM notifications n JOIN alerts a ON a.id = n.alert_id"
                + " WHERE n.status = 'pending' AND n.channel = ? AND n.recipient = ? AND n.host = ?"
                + " AND (n.claimed_until IS NULL OR n.claimed_until <= ?)"
                + " ORDER BY n.id FOR UPDATE OF n SKIP LOCKED")) {
            ps.setString(1, channel);
            ps.setString(2, recipient);
            ps.setString(3, host);
            ps.setObject(4, AlertTracker.ts(nowMs));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long nid = rs.getLong(1);
                    String rule = rs.getString(4);
                    String instance = rs.getString(6);
                    String alertHost = rs.getString(7);
                    Silence s = null;
                    for (Silence candidate : silences) {
                        if (candidate.matches(rule, instance, alertHost)) {
                            s = candidate;
                            break;
                        }
                    }
                    if (s != null) {
                        silenced.computeIfAbsent(s.id(), k -> new ArrayList<>()).add(nid);
                        continue;
                    }
                    OffsetDateTime resolved = rs.getObject(12, OffsetDateTime.class);
                    List<String> evidence = new ArrayList<>();
                    for (Object o : new JsonArray(rs.getString(9))) evidence.add(String.valueOf(o));
                    ids.add(nid);
                    items.add(new NoticeItem(rs.getLong(2), NotificationKind.ofWord(rs.getString(3)), rule,
                            Severity.ofWord(rs.getString(5)), instance, alertHost, rs.getString(8), evidence,
                            rs.getString(10), AlertTracker.millis(rs.getObject(11, OffsetDateTime.class)),
                            resolved == null ? 0 : AlertTracker.millis(resolved)));
                }
            }
        }
        for (Map.Entry<Long, List<Long>> e : silenced.entrySet()) markSuppressed(c, e.getValue(), "silence " + e.getKey());
    }

    /**
     * The first message about a host leaves as soon as it is due; what follows for that host and
     * recipient waits until group_interval after the last message, and then goes out as one. Returns
     * that moment, or {@code nowMs} when nothing was sent within the interval.
     */
    private long groupHeldUntil(Connection c, String channel, String recipient, String host, long nowMs)
            throws SQLException {
        long intervalMs = config.groupInterval().toMillis();
        if (intervalMs <= 0) return nowMs;
        // A message still 'sending' past its lease belongs to a dispatcher that died: it never went out.
        try (PreparedStatement ps = c.prepareStatement("SELECT max(created_at) FROM alert_messages WHERE channel = ?"
                + " AND recipient = ? AND host = ? AND created_at > ?"
                + " AND (status = 'sent' OR status = 'sending' AND created_at > ?)")) {
            ps.setString(1, channel);
            ps.setString(2, recipient);
            ps.setString(3, host);
            ps.setObject(4, AlertTracker.ts(nowMs - intervalMs));
            ps.setObject(5, AlertTracker.ts(nowMs - config.lease().toMillis()));
            try (ResultSet rs = ps.executeQuery()) {
                OffsetDateTime last = rs.next() ? rs.getObject(1, OffsetDateTime.class) : null;
                return last == null ? nowMs : Math.max(nowMs, AlertTracker.millis(last) + intervalMs);
            }
        }
    }

    /** Moves the group's pending rows to {@code untilMs}, so they are not picked again before then. */
    private static void holdGroup(Connection c, String channel, String recipient, String host, long untilMs,
                                  long nowMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE notifications SET next_attempt_at = ? WHERE id IN ("
                + "SELECT id FROM notifications WHERE status = 'pending' AND channel = ? AND recipient = ? AND host = ?"
                + " AND next_attempt_at < ? AND (claimed_until IS NULL OR claimed_until <= ?) FOR UPDATE SKIP LOCKED)")) {
            ps.setObject(1, AlertTracker.ts(untilMs));
            ps.setString(2, channel);
            ps.setString(3, recipient);
            ps.setString(4, host);
            ps.setObject(5, AlertTracker.ts(untilMs));
            ps.setObject(6, AlertTracker.ts(nowMs));
            ps.executeUpdate();
        }
    }

    private static final Comparator<NoticeItem> ORDER = Comparator
            .comparing((NoticeItem i) -> i.kind() == NotificationKind.RESOLVED)
            .thenComparing(i -> i.severity().ordinal())
            .thenComparing(NoticeItem::instance)
            .thenComparing(NoticeItem::rule);

    /** Serialises rate-limit decisions for one recipient across dispatchers (released at commit). */
    private static void lockRecipient(Connection c, String channel, String recipient) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
            ps.setString(1, "redwatch.notify:" + channel + ":" + recipient);
            ps.execute();
        }
    }

    private int sentWithinWindow(Connection c, String channel, String recipient, long nowMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM alert_messages WHERE channel = ?"
                + " AND recipient = ? AND status IN ('sending', 'sent') AND created_at > ?")) {
            ps.setString(1, channel);
            ps.setString(2, recipient);
            ps.setObject(3, AlertTracker.ts(nowMs - config.rateLimitPer().toMillis()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** The rate-limited rows of this recipient not yet told in any message; their ids go to {@code ids}. */
    private static SuppressedSummary summarise(Connection c, String channel, String recipient, List<Long> ids)
            throws SQLException {
        long since = Long.MAX_VALUE;
        Map<String, Integer> byRule = new LinkedHashMap<>();
        Map<String, String> firstTitle = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT n.id, n.created_at, a.rule, a.instance"
                + " FROM notifications n JOIN alerts a ON a.id = n.alert_id"
                + " WHERE n.status = 'suppressed' AND n.suppressed_by = 'rate_limit' AND n.message_id IS NULL"
                + " AND n.channel = ? AND n.recipient = ? ORDER BY n.id FOR UPDATE OF n SKIP LOCKED")) {
            ps.setString(1, channel);
            ps.setString(2, recipient);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                    since = Math.min(since, AlertTracker.millis(rs.getObject(2, OffsetDateTime.class)));
                    byRule.merge(rs.getString(3), 1, Integer::sum);
                    firstTitle.putIfAbsent(rs.getString(3), rs.getString(3) + " on " + rs.getString(4));
                }
            }
        }
        if (ids.isEmpty()) return SuppressedSummary.NONE;
        List<String> examples = new ArrayList<>();
        byRule.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(MAX_SUMMARY_EXAMPLES)
                .forEach(e -> examples.add(e.getValue() == 1 ? firstTitle.get(e.getKey())
                        : e.getKey() + " ×" + e.getValue()));
        return new SuppressedSummary(ids.size(), since, examples);
    }

    private long insertMessage(Connection c, String channel, String recipient, String host, int alerts,
                               int suppressed, long nowMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO alert_messages (channel, recipient, host, status,"
                + " created_at, alerts, suppressed_count, claimed_by) VALUES (?, ?, ?, 'sending', ?, ?, ?, ?) RETURNING id")) {
            ps.setString(1, channel);
            ps.setString(2, recipient);
            ps.setString(3, host);
            ps.setObject(4, AlertTracker.ts(nowMs));
            ps.setInt(5, alerts);
            ps.setInt(6, suppressed);
            ps.setString(7, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void lease(Connection c, List<Long> ids, List<Long> summarised, long messageId, long nowMs)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE notifications SET claimed_by = ?, claimed_until = ?,"
                + " message_id = ? WHERE id = ANY(?)")) {
            ps.setString(1, id);
            ps.setObject(2, AlertTracker.ts(nowMs + config.lease().toMillis()));
            ps.setLong(3, messageId);
            ps.setArray(4, c.createArrayOf("bigint", ids.toArray(new Long[0])));
            ps.executeUpdate();
        }
        setMessage(c, summarised, messageId);
    }

    private static void setMessage(Connection c, List<Long> ids, Long messageId) throws SQLException {
        if (ids.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement("UPDATE notifications SET message_id = ? WHERE id = ANY(?)")) {
            if (messageId == null) ps.setNull(1, java.sql.Types.BIGINT);
            else ps.setLong(1, messageId);
            ps.setArray(2, c.createArrayOf("bigint", ids.toArray(new Long[0])));
            ps.executeUpdate();
        }
    }

    private static void markSuppressed(Connection c, List<Long> ids, String why) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE notifications SET status = 'suppressed',"
                + " suppressed_by = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ANY(?)")) {
            ps.setString(1, why);
            ps.setArray(2, c.createArrayOf("bigint", ids.toArray(new Long[0])));
            ps.executeUpdate();
        }
    }

    private void record(Connection c, Batch b, Delivery d, long nowMs) throws SQLException {
        Long[] ids = b.notificationIds().toArray(new Long[0]);
        String detail = truncate(d.detail(), 2000);
        switch (d.outcome()) {
            case SENT -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE notifications SET status = 'sent', sent_at = ?,"
                        + " attempts = attempts + 1, error = NULL, claimed_by = NULL, claimed_until = NULL"
                        + " WHERE id = ANY(?) AND claimed_by = ?")) {
                    ps.setObject(1, AlertTracker.ts(nowMs));
                    ps.setArray(2, c.createArrayOf("bigint", ids));
                    ps.setString(3, id);
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
                    ps.setObject(3, AlertTracker.ts(nowMs));
                    ps.setLong(4, config.retryMax().toMillis());
                    ps.setLong(5, config.retryInitial().toMillis());
                    ps.setArray(6, c.createArrayOf("bigint", ids));
                    ps.setString(7, id);
                    ps.executeUpdate();
                }
            }
            case PERMANENT -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE notifications SET status = 'failed',"
                        + " attempts = attempts + 1, error = ?, claimed_by = NULL, claimed_until = NULL"
                        + " WHERE id = ANY(?) AND claimed_by = ?")) {
                    ps.setString(1, detail);
                    ps.setArray(2, c.createArrayOf("bigint", ids));
                    ps.setString(3, id);
                    ps.executeUpdate();
                }
            }
        }
        if (d.outcome() != Delivery.Outcome.SENT) {
            // What this message would have summarised is told by the next one instead.
            setMessage(c, b.summarisedIds(), null);
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE alert_messages SET status = ?, sent_at = ?, error = ?"
                + " WHERE id = ?")) {
            boolean sent = d.outcome() == Delivery.Outcome.SENT;
            ps.setString(1, sent ? "sent" : "failed");
            ps.setObject(2, sent ? AlertTracker.ts(nowMs) : null);
            ps.setString(3, sent ? null : detail);
            ps.setLong(4, b.messageId());
            ps.executeUpdate();
        }
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T inTransaction(String what, Work<T> work) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new AlertingException("dispatcher " + id + " could not " + what + ": " + e.getMessage(), e);
        }
    }
}
