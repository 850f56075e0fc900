package io.redwatch.collector.http.status;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.sql.DataSource;

/**
 * What the status page shows that is not a chart: the fleet (each instance's latest memory, fds and
 * firing alerts) and one instance (its alerts with summary, evidence and advice, its latest CONFIG,
 * host and process facts). Reads the tables behind the {@code redwatch_*} views with index lookups
 * of the latest row only, so the fleet costs a few lookups per instance however long the history is.
 */
public final class StatusQueries {
    /** A phone shows a few hundred rows at most; past this the page says how many were left out. */
    static final int MAX_FLEET_ROWS = 2000;

    private static final int RECENT_ALERTS = 30;
    private static final String ALERT_COLUMNS = "id, rule, severity, instance, host, state, started_at, resolved_at,"
            + " last_seen_at, summary, evidence::text, advice";
    /** CONFIG values are text; a byte count is digits, anything else is left out rather than failing the page. */
    private static final String MAXMEMORY =
            "CASE WHEN c.config ->> 'maxmemory' ~ '^[0-9]{1,18}$'" + " THEN (c.config ->> 'maxmemory')::bigint END";

    private final DataSource db;

    public StatusQueries(DataSource db) {
        this.db = db;
    }

    /**
     * Every instance with its state, firing alerts first (critical before warning), then by name:
     * {@code {instances: [...], total: n}}.
     */
    public JsonObject fleet() throws SQLException {
        List<JsonObject> rows = new ArrayList<>();
        long total;
        try (Connection c = db.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM instances");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                total = rs.getLong(1);
            }
            // Instances with firing alerts come first in SQL too, so the bound never hides one of them.
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT i.instance, i.host, i.role, i.redis_version, i.last_seen, a.last_seen,"
                            + " s.used_memory, s.used_memory_rss, " + MAXMEMORY + ", p.fd_total, p.nofile_soft,"
                            + " (SELECT min(CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END)"
                            + "    FROM alerts f WHERE f.instance = i.instance AND f.state = 'firing') AS worst"
                            + " FROM instances i"
                            + " LEFT JOIN agents a ON a.agent_id = i.agent_id"
                            + " LEFT JOIN instance_ids ids ON ids.instance = i.instance"
                            + " LEFT JOIN LATERAL (SELECT used_memory, used_memory_rss FROM info_samples x"
                            + "   WHERE x.instance_id = ids.id ORDER BY x.ts DESC LIMIT 1) s ON true"
                            + " LEFT JOIN LATERAL (SELECT config FROM config_snapshots c"
                            + "   WHERE c.instance = i.instance ORDER BY c.ts DESC LIMIT 1) c ON true"
                            + " LEFT JOIN LATERAL (SELECT fd_total, nofile_soft FROM process_facts p"
                            + "   WHERE p.instance = i.instance ORDER BY p.ts DESC LIMIT 1) p ON true"
                            + " ORDER BY worst NULLS LAST, i.instance LIMIT ?")) {
                ps.setInt(1, MAX_FLEET_ROWS);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new JsonObject()
                                .put("instance", rs.getString(1))
                                .put("host", rs.getString(2))
                                .put("role", rs.getString(3))
                                .put("redis_version", rs.getString(4))
                                .put("last_seen", time(rs, 5))
                                .put("agent_last_seen", time(rs, 6))
                                .put("used_memory", number(rs, 7))
                                .put("used_memory_rss", number(rs, 8))
                                .put("maxmemory", number(rs, 9))
                                .put("fd_total", number(rs, 10))
                                .put("fd_limit", number(rs, 11))
                                .put("alerts", new JsonArray()));
                    }
                }
            }
            attachFiringAlerts(c, rows);
        }
        rows.sort(Comparator.comparingInt(StatusQueries::worstSeverity).thenComparing(r -> r.getString("instance")));
        return new JsonObject()
                .put("instances", new JsonArray(new ArrayList<>(rows)))
                .put("total", total)
                .put("now", java.time.Instant.now().toString());
    }

    private static void attachFiringAlerts(Connection c, List<JsonObject> rows) throws SQLException {
        java.util.Map<String, JsonObject> byName = new java.util.HashMap<>();
        for (JsonObject r : rows) byName.put(r.getString("instance"), r);
        try (PreparedStatement ps = c.prepareStatement("SELECT rule, severity, instance, started_at, summary"
                        + " FROM alerts WHERE state = 'firing' ORDER BY severity, rule");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                JsonObject row = byName.get(rs.getString(3));
                if (row == null) continue; // an alert of an instance the bound left out, or of an agent (agent_silent)
                row.getJsonArray("alerts")
                        .add(new JsonObject()
                                .put("rule", rs.getString(1))
                                .put("severity", rs.getString(2))
                                .put("started_at", time(rs, 4))
                                .put("summary", rs.getString(5)));
            }
        }
    }

    private static int worstSeverity(JsonObject row) {
        int worst = 3;
        for (Object o : row.getJsonArray("alerts")) {
            worst = Math.min(
                    worst,
                    switch (((JsonObject) o).getString("severity")) {
                        case "critical" -> 0;
                        case "warning" -> 1;
                        default -> 2;
                    });
        }
        return worst;
    }

    /** One instance, or null when it is unknown. */
    public JsonObject instance(String instance) throws SQLException {
        try (Connection c = db.getConnection()) {
            JsonObject out;
            String host;
            try (PreparedStatement ps = c.prepareStatement("SELECT i.instance, i.host, i.port, i.role, i.redis_version,"
                    + " i.last_seen, i.agent_id, i.first_seen, a.last_seen, a.version"
                    + " FROM instances i LEFT JOIN agents a ON a.agent_id = i.agent_id WHERE i.instance = ?")) {
                ps.setString(1, instance);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return null;
                    host = rs.getString(2);
                    out = new JsonObject()
                            .put("instance", rs.getString(1))
                            .put("host", host)
                            .put("port", number(rs, 3))
                            .put("role", rs.getString(4))
                            .put("redis_version", rs.getString(5))
                            .put("last_seen", time(rs, 6))
                            .put("agent_id", rs.getString(7))
                            .put("first_seen", time(rs, 8))
                            .put("agent_last_seen", time(rs, 9))
                            .put("agent_version", rs.getString(10));
                }
            }
            out.put("alerts", alerts(c, instance));
            out.put(
                    "config",
                    latestJson(
                            c,
                            "SELECT ts, config::text, unavailable::text FROM config_snapshots"
                                    + " WHERE instance = ? ORDER BY ts DESC LIMIT 1",
                            instance));
            out.put(
                    "host_facts",
                    latestRow(
                            c,
                            "SELECT ts, mem_total, mem_available, swap_total, swap_free, commit_limit,"
                                    + " committed_as, overcommit_memory, overcommit_ratio, thp_enabled, thp_defrag, somaxconn,"
                                    + " iowait_pct, load1, load5, load15, cpu_count FROM host_facts WHERE host = ? ORDER BY ts DESC LIMIT 1",
                            host));
            out.put(
                    "process_facts",
                    latestRow(
                            c,
                            "SELECT ts, pid, pid_source, fd_total, fd_sockets, fd_pipes, fd_files,"
                                    + " fd_anon_inodes, fd_other, nofile_soft, nofile_hard, vm_rss, vm_size, error"
                                    + " FROM process_facts WHERE instance = ? ORDER BY ts DESC LIMIT 1",
                            instance));
            return out;
        }
    }

    /** Firing alerts, then the most recent resolved ones. */
    private static JsonArray alerts(Connection c, String instance) throws SQLException {
        JsonArray out = new JsonArray();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + ALERT_COLUMNS + " FROM alerts WHERE instance = ?"
                + " ORDER BY (state = 'firing') DESC, started_at DESC, id DESC LIMIT " + RECENT_ALERTS)) {
            ps.setString(1, instance);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new JsonObject()
                            .put("id", rs.getLong(1))
                            .put("rule", rs.getString(2))
                            .put("severity", rs.getString(3))
                            .put("instance", rs.getString(4))
                            .put("host", rs.getString(5))
                            .put("state", rs.getString(6))
                            .put("started_at", time(rs, 7))
                            .put("resolved_at", time(rs, 8))
                            .put("last_seen_at", time(rs, 9))
                            .put("summary", rs.getString(10))
                            .put("evidence", new JsonArray(rs.getString(11)))
                            .put("advice", rs.getString(12)));
                }
            }
        }
        return out;
    }

    private static JsonObject latestJson(Connection c, String sql, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                String unavailable = rs.getString(3);
                return new JsonObject()
                        .put("ts", time(rs, 1))
                        .put("values", new JsonObject(rs.getString(2)))
                        .put(
                                "unavailable",
                                unavailable == null ? null : io.vertx.core.json.Json.decodeValue(unavailable));
            }
        }
    }

    /** The latest row as column name → value (numbers stay numbers, times become ISO text). */
    private static JsonObject latestRow(Connection c, String sql, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                JsonObject row = new JsonObject();
                var meta = rs.getMetaData();
                for (int k = 1; k <= meta.getColumnCount(); k++) {
                    String name = meta.getColumnLabel(k);
                    Object v = rs.getObject(k);
                    if (v instanceof java.sql.Timestamp || v instanceof OffsetDateTime) {
                        row.put(name, time(rs, k));
                    } else if (v instanceof Number || v instanceof String || v instanceof Boolean || v == null) {
                        row.put(name, v);
                    } else {
                        row.put(name, v.toString());
                    }
                }
                return row;
            }
        }
    }

    static String time(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant().toString();
    }

    private static Long number(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
