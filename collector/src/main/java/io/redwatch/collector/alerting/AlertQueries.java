package io.redwatch.collector.alerting;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/** What the HTTP API shows: instances with their firing alerts, and alerts by state. */
public final class AlertQueries {
    private static final String ALERT_COLUMNS = "id, rule, severity, instance, host, state, started_at, resolved_at,"
            + " last_seen_at, summary, evidence::text, advice";
    private final DataSource db;

    public AlertQueries(DataSource db) {
        this.db = db;
    }

    /**
     * Every known instance (instance, host, role, last_seen) with its firing alerts; an instance
     * that has alerts but no row in redwatch_instances is listed too.
     */
    public JsonArray instances() {
        Map<String, JsonObject> byInstance = new LinkedHashMap<>();
        try (Connection c = db.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT instance, host, role, last_seen FROM redwatch_instances ORDER BY instance");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byInstance.put(
                            rs.getString(1),
                            new JsonObject()
                                    .put("instance", rs.getString(1))
                                    .put("host", rs.getString(2))
                                    .put("role", rs.getString(3))
                                    .put("last_seen", time(rs.getObject(4, OffsetDateTime.class)))
                                    .put("alerts", new JsonArray()));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT " + ALERT_COLUMNS
                            + " FROM alerts WHERE state = 'firing' ORDER BY instance, severity, rule");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    JsonObject alert = alert(rs);
                    byInstance
                            .computeIfAbsent(
                                    alert.getString("instance"),
                                    i -> new JsonObject()
                                            .put("instance", i)
                                            .put("host", alert.getString("host"))
                                            .putNull("role")
                                            .putNull("last_seen")
                                            .put("alerts", new JsonArray()))
                            .getJsonArray("alerts")
                            .add(alert);
                }
            }
        } catch (SQLException e) {
            throw new AlertingException("cannot read instances: " + e.getMessage(), e);
        }
        return new JsonArray(new java.util.ArrayList<>(byInstance.values()));
    }

    /** Alerts in {@code state} (firing or resolved; null for both), newest first, at most {@code limit}. */
    public JsonArray alerts(String state, int limit) {
        String sql = "SELECT " + ALERT_COLUMNS + " FROM alerts" + (state == null ? "" : " WHERE state = ?")
                + " ORDER BY started_at DESC, id DESC LIMIT ?";
        JsonArray out = new JsonArray();
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            int k = 1;
            if (state != null) ps.setString(k++, state);
            ps.setInt(k, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(alert(rs));
            }
        } catch (SQLException e) {
            throw new AlertingException("cannot read alerts: " + e.getMessage(), e);
        }
        return out;
    }

    private static JsonObject alert(ResultSet rs) throws SQLException {
        return new JsonObject()
                .put("id", rs.getLong(1))
                .put("rule", rs.getString(2))
                .put("severity", rs.getString(3))
                .put("instance", rs.getString(4))
                .put("host", rs.getString(5))
                .put("state", rs.getString(6))
                .put("started_at", time(rs.getObject(7, OffsetDateTime.class)))
                .put("resolved_at", time(rs.getObject(8, OffsetDateTime.class)))
                .put("last_seen_at", time(rs.getObject(9, OffsetDateTime.class)))
                .put("summary", rs.getString(10))
                .put("evidence", new JsonArray(rs.getString(11)))
                .put("advice", rs.getString(12));
    }

    static String time(OffsetDateTime t) {
        return t == null ? null : t.toInstant().toString();
    }
}
