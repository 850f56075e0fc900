package io.redwatch.collector.alerting;

import io.redwatch.collector.config.AlertingConfig;
import io.redwatch.collector.rules.Finding;
import io.redwatch.collector.rules.Severity;
import io.vertx.core.json.JsonArray;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The life of alerts, one instance at a time: fed the complete list of an instance's current
 * findings at each evaluation, it opens an alert (rule, instance) when a rule first finds
 * something, keeps it open while the rule keeps finding it, and resolves it only once the rule has
 * been silent for the recovery period, so a rule that flips on and off stays one alert. Every
 * change writes its notifications in the same transaction (the outbox).
 *
 * <p>The state is the {@code alerts} table, not memory: any collector may evaluate any instance,
 * and evaluations of one instance are serialised by an advisory lock.
 */
public final class AlertTracker {
    private final DataSource db;
    private final AlertingConfig config;
    private final Map<String, List<String>> recipients;

    /** What one evaluation changed. */
    public record Evaluation(int fired, int resolved, int repeated, int notificationsQueued) {
    }

    /**
     * @param recipients channel name → who it pages; a routed channel missing here queues nothing
     */
    public AlertTracker(DataSource db, AlertingConfig config, Map<String, List<String>> recipients) {
        this.db = db;
        this.config = config;
        this.recipients = Map.copyOf(recipients);
    }

    private record Open(long id, String rule, Severity severity, long lastSeenMs, int missed, long lastNotifiedMs) {
    }

    private record Queued(long alertId, NotificationKind kind, Severity severity) {
    }

    public Evaluation evaluate(String instance, String host, List<Finding> findings, long nowMs) {
        Map<String, Finding> current = new LinkedHashMap<>();
        for (Finding f : findings) {
            // One alert per rule and instance: keep the most severe finding of a rule.
            current.merge(f.rule(), f, (a, b) -> b.severity().ordinal() < a.severity().ordinal() ? b : a);
        }
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                Evaluation e = evaluate(c, instance, host, current, nowMs);
                c.commit();
                return e;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new AlertingException("cannot record alerts of " + instance + ": " + e.getMessage()
                    + "; the next evaluation will try again", e);
        }
    }

    private Evaluation evaluate(Connection c, String instance, String host, Map<String, Finding> current, long nowMs)
            throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
            lock.setString(1, "redwatch.alerts:" + instance);
            lock.execute();
        }
        Map<String, Open> open = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, rule, severity, last_seen_at, missed_evaluations, last_notified_at FROM alerts"
                        + " WHERE instance = ? AND state = 'firing'")) {
            ps.setString(1, instance);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    OffsetDateTime notified = rs.getObject(6, OffsetDateTime.class);
                    open.put(rs.getString(2), new Open(rs.getLong(1), rs.getString(2), Severity.ofWord(rs.getString(3)),
                            millis(rs.getObject(4, OffsetDateTime.class)), rs.getInt(5),
                            notified == null ? Long.MIN_VALUE : millis(notified)));
                }
            }
        }

        List<Queued> queue = new ArrayList<>();
        List<Finding> fresh = new ArrayList<>();
        int repeated = 0;
        try (PreparedStatement update = c.prepareStatement(
                "UPDATE alerts SET severity = ?, host = ?, last_seen_at = ?, missed_evaluations = 0, summary = ?,"
                        + " evidence = ?::jsonb, advice = ?,"
                        + " last_notified_at = CASE WHEN ? THEN ? ELSE last_notified_at END WHERE id = ?")) {
            for (Finding f : current.values()) {
                Open o = open.get(f.rule());
                if (o == null) {
                    fresh.add(f);
                    continue;
                }
                boolean notify = false;
                if (f.severity().ordinal() < o.severity().ordinal()) {
                    // Escalated (say warning → critical): page the channels of the new severity now.
                    queue.add(new Queued(o.id(), NotificationKind.FIRING, f.severity()));
                    notify = true;
                } else if (f.severity() == Severity.CRITICAL && o.lastNotifiedMs() != Long.MIN_VALUE
                        && nowMs - o.lastNotifiedMs() >= config.repeatInterval().toMillis()) {
                    queue.add(new Queued(o.id(), NotificationKind.REPEAT, f.severity()));
                    repeated++;
                    notify = true;
                }
                update.setString(1, f.severity().word());
                update.setString(2, host);
                update.setObject(3, ts(nowMs));
                update.setString(4, f.summary());
                update.setString(5, new JsonArray(new ArrayList<Object>(f.evidence())).encode());
                update.setString(6, f.advice() == null ? "" : f.advice());
                update.setBoolean(7, notify);
                update.setObject(8, ts(nowMs));
                update.setLong(9, o.id());
                update.addBatch();
            }
            update.executeBatch();
        }

        int fired = insertNew(c, instance, host, fresh, nowMs, queue);

        int resolved = 0;
        long recoveryMs = config.recoveryPeriod().toMillis();
        try (PreparedStatement miss = c.prepareStatement(
                "UPDATE alerts SET missed_evaluations = ?, state = CASE WHEN ? THEN 'resolved' ELSE state END,"
                        + " resolved_at = CASE WHEN ? THEN ? ELSE resolved_at END WHERE id = ?")) {
            for (Open o : open.values()) {
                if (current.containsKey(o.rule())) continue;
                int missed = o.missed() + 1;
                boolean resolve = missed >= config.recoveryEvaluations() && nowMs - o.lastSeenMs() >= recoveryMs;
                miss.setInt(1, missed);
                miss.setBoolean(2, resolve);
                miss.setBoolean(3, resolve);
                miss.setObject(4, ts(nowMs));
                miss.setLong(5, o.id());
                miss.addBatch();
                if (resolve) {
                    resolved++;
                    if (o.lastNotifiedMs() != Long.MIN_VALUE) {
                        queue.add(new Queued(o.id(), NotificationKind.RESOLVED, o.severity()));
                    }
                }
            }
            miss.executeBatch();
        }
        int queued = enqueue(c, host, queue, nowMs);
        return new Evaluation(fired, resolved, repeated, queued);
    }

    private int insertNew(Connection c, String instance, String host, List<Finding> fresh, long nowMs,
                          List<Queued> queue) throws SQLException {
        if (fresh.isEmpty()) return 0;
        int n = fresh.size();
        String[] rules = new String[n];
        String[] severities = new String[n];
        String[] summaries = new String[n];
        String[] evidence = new String[n];
        String[] advice = new String[n];
        for (int i = 0; i < n; i++) {
            Finding f = fresh.get(i);
            rules[i] = f.rule();
            severities[i] = f.severity().word();
            summaries[i] = f.summary();
            evidence[i] = new JsonArray(new ArrayList<Object>(f.evidence())).encode();
            advice[i] = f.advice() == null ? "" : f.advice();
        }
        // One statement for all new alerts of the instance: a storm of findings stays cheap.
        String sql = "INSERT INTO alerts (rule, severity, instance, host, state, started_at, last_seen_at,"
                + " last_notified_at, summary, evidence, advice)"
                + " SELECT u.r, u.s, ?, ?, 'firing', ?, ?, ?,"
                + " u.su, u.ev::jsonb, u.ad"
                + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) AS u(r, s, su, ev, ad)"
                + " ON CONFLICT (rule, instance) WHERE state = 'firing' DO NOTHING RETURNING id, rule, severity";
        int fired = 0;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, instance);
            ps.setString(2, host);
            ps.setObject(3, ts(nowMs));
            ps.setObject(4, ts(nowMs));
            ps.setObject(5, ts(nowMs));
            ps.setArray(6, text(c, rules));
            ps.setArray(7, text(c, severities));
            ps.setArray(8, text(c, summaries));
            ps.setArray(9, text(c, evidence));
            ps.setArray(10, text(c, advice));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    fired++;
                    queue.add(new Queued(rs.getLong(1), NotificationKind.FIRING, Severity.ofWord(rs.getString(3))));
                }
            }
        }
        return fired;
    }

    private int enqueue(Connection c, String host, List<Queued> queue, long nowMs) throws SQLException {
        List<Long> ids = new ArrayList<>();
        List<String> kinds = new ArrayList<>();
        List<String> channels = new ArrayList<>();
        List<String> to = new ArrayList<>();
        for (Queued q : queue) {
            for (String channel : config.channelsFor(q.severity())) {
                for (String r : recipients.getOrDefault(channel, List.of())) {
                    ids.add(q.alertId());
                    kinds.add(q.kind().word());
                    channels.add(channel);
                    to.add(r);
                }
            }
        }
        if (ids.isEmpty()) return 0;
        // Due after group_wait (0 by default: the first page leaves at once); the dispatcher holds what
        // follows a message to the same host for group_interval, so that goes out as one message.
        String sql = "INSERT INTO notifications (alert_id, kind, channel, recipient, host, status, created_at,"
                + " next_attempt_at) SELECT u.a, u.k, u.c, u.r, ?, 'pending', ?, ?"
                + " FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[]) AS u(a, k, c, r)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, host);
            ps.setObject(2, ts(nowMs));
            ps.setObject(3, ts(nowMs + config.groupWait().toMillis()));
            ps.setArray(4, c.createArrayOf("bigint", ids.toArray(new Long[0])));
            ps.setArray(5, text(c, kinds.toArray(new String[0])));
            ps.setArray(6, text(c, channels.toArray(new String[0])));
            ps.setArray(7, text(c, to.toArray(new String[0])));
            return ps.executeUpdate();
        }
    }

    private static Array text(Connection c, String[] values) throws SQLException {
        return c.createArrayOf("text", values);
    }

    static OffsetDateTime ts(long ms) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(ms), ZoneOffset.UTC);
    }

    static long millis(OffsetDateTime t) {
        return t.toInstant().toEpochMilli();
    }
}
