package io.redwatch.collector.alerting;

import static io.redwatch.collector.alerting.Timestamps.millis;
import static io.redwatch.collector.alerting.Timestamps.ts;

import io.redwatch.collector.rules.Finding;
import io.redwatch.collector.rules.Severity;
import io.vertx.core.json.JsonArray;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code alerts} table: an instance's firing alerts, and the writes that carry out its
 * {@link Transitions}. Every method runs in the caller's transaction.
 */
final class AlertStore {

    /**
     * Serialises evaluations of one instance across collectors until the transaction ends: the state
     * is the table, not memory, and any collector may evaluate any instance.
     */
    void lockInstance(Connection c, String instance) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
            lock.setString(1, "redwatch.alerts:" + instance);
            lock.execute();
        }
    }

    List<OpenAlert> firing(Connection c, String instance) throws SQLException {
        List<OpenAlert> open = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, rule, severity, last_seen_at, missed_evaluations, last_notified_at FROM alerts"
                        + " WHERE instance = ? AND state = 'firing' ORDER BY id")) {
            ps.setString(1, instance);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    OffsetDateTime notified = rs.getObject(6, OffsetDateTime.class);
                    open.add(new OpenAlert(
                            rs.getLong(1),
                            rs.getString(2),
                            Severity.ofWord(rs.getString(3)),
                            millis(rs.getObject(4, OffsetDateTime.class)),
                            rs.getInt(5),
                            notified == null ? OpenAlert.NEVER : millis(notified)));
                }
            }
        }
        return open;
    }

    /** Open alerts found again: their latest finding, and the time of a page they cause. */
    void updateSeen(Connection c, String host, List<Transitions.Seen> seen, long nowMs) throws SQLException {
        if (seen.isEmpty()) return;
        try (PreparedStatement update = c.prepareStatement(
                "UPDATE alerts SET severity = ?, host = ?, last_seen_at = ?, missed_evaluations = 0, summary = ?,"
                        + " evidence = ?::jsonb, advice = ?,"
                        + " last_notified_at = CASE WHEN ? THEN ? ELSE last_notified_at END WHERE id = ?")) {
            for (Transitions.Seen s : seen) {
                Finding f = s.finding();
                update.setString(1, f.severity().word());
                update.setString(2, host);
                update.setObject(3, ts(nowMs));
                update.setString(4, f.summary());
                update.setString(5, evidence(f));
                update.setString(6, advice(f));
                update.setBoolean(7, s.page() != null);
                update.setObject(8, ts(nowMs));
                update.setLong(9, s.alert().id());
                update.addBatch();
            }
            update.executeBatch();
        }
    }

    /**
     * Opens an alert per finding, in one statement so that a storm of findings stays cheap; returns
     * a firing page for each alert it opened (none for a rule another collector opened meanwhile).
     */
    List<Page> open(Connection c, String instance, String host, List<Finding> fired, long nowMs) throws SQLException {
        if (fired.isEmpty()) return List.of();
        int n = fired.size();
        String[] rules = new String[n];
        String[] severities = new String[n];
        String[] summaries = new String[n];
        String[] evidence = new String[n];
        String[] advice = new String[n];
        for (int i = 0; i < n; i++) {
            Finding f = fired.get(i);
            rules[i] = f.rule();
            severities[i] = f.severity().word();
            summaries[i] = f.summary();
            evidence[i] = evidence(f);
            advice[i] = advice(f);
        }
        String sql = "INSERT INTO alerts (rule, severity, instance, host, state, started_at, last_seen_at,"
                + " last_notified_at, summary, evidence, advice)"
                + " SELECT u.r, u.s, ?, ?, 'firing', ?, ?, ?,"
                + " u.su, u.ev::jsonb, u.ad"
                + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) AS u(r, s, su, ev, ad)"
                + " ON CONFLICT (rule, instance) WHERE state = 'firing' DO NOTHING RETURNING id, rule, severity";
        List<Page> pages = new ArrayList<>();
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
                    pages.add(new Page(rs.getLong(1), NotificationKind.FIRING, Severity.ofWord(rs.getString(3))));
                }
            }
        }
        return pages;
    }

    /** Open alerts not found this time: one more missed evaluation, and the end of those that recovered. */
    void updateMissed(Connection c, List<Transitions.Missed> missed, long nowMs) throws SQLException {
        if (missed.isEmpty()) return;
        try (PreparedStatement miss = c.prepareStatement(
                "UPDATE alerts SET missed_evaluations = ?, state = CASE WHEN ? THEN 'resolved' ELSE state END,"
                        + " resolved_at = CASE WHEN ? THEN ? ELSE resolved_at END WHERE id = ?")) {
            for (Transitions.Missed m : missed) {
                miss.setInt(1, m.missedEvaluations());
                miss.setBoolean(2, m.resolved());
                miss.setBoolean(3, m.resolved());
                miss.setObject(4, ts(nowMs));
                miss.setLong(5, m.alert().id());
                miss.addBatch();
            }
            miss.executeBatch();
        }
    }

    private static String evidence(Finding f) {
        return new JsonArray(new ArrayList<Object>(f.evidence())).encode();
    }

    private static String advice(Finding f) {
        return f.advice() == null ? "" : f.advice();
    }

    static Array text(Connection c, String[] values) throws SQLException {
        return c.createArrayOf("text", values);
    }
}
