package io.redwatch.collector.http.status;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The charts of one instance over a window, from the SQL history, downsampled in PostgreSQL with
 * {@code date_bin} onto one grid of at most ~360 buckets whatever the window: a phone gets a few
 * kilobytes for 7 days as for 1 hour. Peaks are what matter in a monitor, so each bucket keeps the
 * maximum (the minimum for headroom), not the mean.
 */
public final class SeriesQueries {
    /** The windows the page offers, each with a bucket that keeps it under ~360 points. */
    public enum Window {
        HOUR("1h", Duration.ofHours(1), Duration.ofSeconds(10)),
        DAY("24h", Duration.ofHours(24), Duration.ofMinutes(4)),
        WEEK("7d", Duration.ofDays(7), Duration.ofMinutes(30));

        final String label;
        final Duration span;
        final Duration step;

        Window(String label, Duration span, Duration step) {
            this.label = label;
            this.span = span;
            this.step = step;
        }

        public static Window parse(String text) {
            for (Window w : values()) if (w.label.equals(text)) return w;
            throw new IllegalArgumentException("window must be 1h, 24h or 7d, got '" + text + "'");
        }
    }

    /** Log kinds shown as their own line; the rest are summed as "other" so the legend stays readable. */
    private static final int MAX_LOG_KINDS = 6;

    private final DataSource db;

    public SeriesQueries(DataSource db) {
        this.db = db;
    }

    /** Aligned series (arrays of the grid's length, null where nothing was sampled) of each chart. */
    public JsonObject series(String instance, String host, Window w, Instant now) throws SQLException {
        Grid g = new Grid(w, now);
        JsonObject out = new JsonObject()
                .put("window", w.label)
                .put("step_s", w.step.toSeconds())
                .put("t", g.times());
        try (Connection c = db.getConnection()) {
            info(c, instance, g, out);
            process(c, instance, g, out);
            logs(c, instance, g, out);
            host(c, host, g, out);
        }
        return out;
    }

    private void info(Connection c, String instance, Grid g, JsonObject out) throws SQLException {
        Double[] used = g.empty(),
                rss = g.empty(),
                clients = g.empty(),
                offset = g.empty(),
                maxmemory = g.empty(),
                linkUp = g.empty();
        List<OffsetDateTime> lastOfBucket = new ArrayList<>();
        try (PreparedStatement ps = g.prepare(
                c,
                "SELECT date_bin(?::interval, ts, ?) b, max(used_memory), max(used_memory_rss),"
                        + " max(connected_clients), max(master_repl_offset), max(ts) FROM info_samples"
                        + " WHERE instance_id = (SELECT id FROM instance_ids WHERE instance = ?) AND ts >= ? AND ts < ? GROUP BY b",
                instance)) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int k = g.index(rs.getObject(1, OffsetDateTime.class));
                    if (k < 0) continue;
                    used[k] = value(rs, 2);
                    rss[k] = value(rs, 3);
                    clients[k] = value(rs, 4);
                    offset[k] = value(rs, 5);
                    lastOfBucket.add(rs.getObject(6, OffsetDateTime.class));
                }
            }
        }
        // maxmemory and the link status live in the INFO records, unpacked per row by redwatch_info:
        // only the last sample of each bucket is read, so 7 days costs ~340 unpackings, not 60,000.
        if (!lastOfBucket.isEmpty()) {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT ts, maxmemory, master_link_status, role FROM redwatch_info"
                            + " WHERE instance = ? AND ts = ANY (?)")) {
                ps.setString(1, instance);
                Array times = c.createArrayOf("timestamptz", lastOfBucket.toArray());
                ps.setArray(2, times);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int k = g.index(g.binOf(rs.getObject(1, OffsetDateTime.class)));
                        if (k < 0) continue;
                        maxmemory[k] = value(rs, 2);
                        String link = rs.getString(3);
                        // A master has no link: left out rather than drawn as "down".
                        if (link != null && !"master".equals(rs.getString(4)))
                            linkUp[k] = "up".equals(link) ? 1.0 : 0.0;
                    }
                }
            }
        }
        out.put(
                "memory",
                new JsonObject()
                        .put("used_memory", arr(used))
                        .put("used_memory_rss", arr(rss))
                        .put("maxmemory", arr(maxmemory)));
        out.put("clients", new JsonObject().put("connected_clients", arr(clients)));
        out.put(
                "replication",
                new JsonObject().put("master_repl_offset", arr(offset)).put("link_up", arr(linkUp)));
    }

    private void process(Connection c, String instance, Grid g, JsonObject out) throws SQLException {
        Double[] sockets = g.empty(),
                pipes = g.empty(),
                files = g.empty(),
                other = g.empty(),
                limit = g.empty(),
                rss = g.empty();
        try (PreparedStatement ps = g.prepare(
                        c,
                        "SELECT date_bin(?::interval, ts, ?) b, max(fd_sockets), max(fd_pipes), max(fd_files),"
                                + " max(coalesce(fd_anon_inodes, 0) + coalesce(fd_other, 0)), max(nofile_soft), max(vm_rss) FROM process_facts"
                                + " WHERE instance = ? AND ts >= ? AND ts < ? GROUP BY b",
                        instance);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                int k = g.index(rs.getObject(1, OffsetDateTime.class));
                if (k < 0) continue;
                sockets[k] = value(rs, 2);
                pipes[k] = value(rs, 3);
                files[k] = value(rs, 4);
                other[k] = value(rs, 5);
                limit[k] = value(rs, 6);
                rss[k] = value(rs, 7);
            }
        }
        out.put(
                "fds",
                new JsonObject()
                        .put("sockets", arr(sockets))
                        .put("pipes", arr(pipes))
                        .put("files", arr(files))
                        .put("other", arr(other))
                        .put("limit", arr(limit)));
        out.put("process_rss", arr(rss));
    }

    private void logs(Connection c, String instance, Grid g, JsonObject out) throws SQLException {
        Map<String, Double[]> byKind = new HashMap<>();
        Map<String, Double> totals = new HashMap<>();
        try (PreparedStatement ps = g.prepare(
                        c,
                        "SELECT date_bin(?::interval, ts, ?) b, coalesce(kind, 'unclassified'), count(*)"
                                + " FROM log_events WHERE instance = ? AND ts >= ? AND ts < ? GROUP BY 1, 2",
                        instance);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                int k = g.index(rs.getObject(1, OffsetDateTime.class));
                if (k < 0) continue;
                String kind = rs.getString(2);
                double n = rs.getLong(3);
                byKind.computeIfAbsent(kind, x -> g.zeros())[k] = n;
                totals.merge(kind, n, Double::sum);
            }
        }
        List<String> kinds = new ArrayList<>(totals.keySet());
        kinds.sort(Comparator.comparing((String k) -> -totals.get(k)).thenComparing(k -> k));
        Map<String, Double[]> shown = new LinkedHashMap<>();
        for (int i = 0; i < kinds.size(); i++) {
            String kind = kinds.get(i);
            if (i < MAX_LOG_KINDS) {
                shown.put(kind, byKind.get(kind));
            } else {
                Double[] rest = shown.computeIfAbsent("other kinds", x -> g.zeros());
                Double[] these = byKind.get(kind);
                for (int j = 0; j < rest.length; j++) rest[j] += these[j];
            }
        }
        JsonObject logs = new JsonObject();
        shown.forEach((kind, counts) -> logs.put(kind, arr(counts)));
        out.put("logs", logs);
    }

    private void host(Connection c, String host, Grid g, JsonObject out) throws SQLException {
        Double[] headroom = g.empty(), available = g.empty();
        if (host != null) {
            try (PreparedStatement ps = g.prepare(
                            c,
                            "SELECT date_bin(?::interval, ts, ?) b, min(commit_limit - committed_as),"
                                    + " min(mem_available) FROM host_facts WHERE host = ? AND ts >= ? AND ts < ? GROUP BY b",
                            host);
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int k = g.index(rs.getObject(1, OffsetDateTime.class));
                    if (k < 0) continue;
                    headroom[k] = value(rs, 2);
                    available[k] = value(rs, 3);
                }
            }
        }
        out.put("host", new JsonObject().put("commit_headroom", arr(headroom)).put("mem_available", arr(available)));
    }

    private static Double value(ResultSet rs, int column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : v;
    }

    private static JsonArray arr(Double[] values) {
        JsonArray a = new JsonArray(new ArrayList<>(values.length));
        for (Double v : values) a.add(v);
        return a;
    }

    /** The buckets of one window, ending with the bucket that holds {@code now}. */
    private static final class Grid {
        final long stepS;
        final long fromS;
        final int n;

        Grid(Window w, Instant now) {
            stepS = w.step.toSeconds();
            n = (int) (w.span.toSeconds() / stepS);
            fromS = (now.getEpochSecond() / stepS - (n - 1)) * stepS;
        }

        OffsetDateTime from() {
            return OffsetDateTime.ofInstant(Instant.ofEpochSecond(fromS), ZoneOffset.UTC);
        }

        OffsetDateTime to() {
            return OffsetDateTime.ofInstant(Instant.ofEpochSecond(fromS + n * stepS), ZoneOffset.UTC);
        }

        /** Binds (step, origin, key, from, to), the parameter order every series query uses. */
        PreparedStatement prepare(Connection c, String sql, String key) throws SQLException {
            PreparedStatement ps = c.prepareStatement(sql);
            ps.setString(1, stepS + " seconds");
            ps.setObject(2, from());
            ps.setString(3, key);
            ps.setObject(4, from());
            ps.setObject(5, to());
            return ps;
        }

        int index(OffsetDateTime bucket) {
            long k = (bucket.toEpochSecond() - fromS) / stepS;
            return k < 0 || k >= n ? -1 : (int) k;
        }

        OffsetDateTime binOf(OffsetDateTime t) {
            long s = fromS + Math.floorDiv(t.toEpochSecond() - fromS, stepS) * stepS;
            return OffsetDateTime.ofInstant(Instant.ofEpochSecond(s), ZoneOffset.UTC);
        }

        JsonArray times() {
            JsonArray t = new JsonArray(new ArrayList<>(n));
            for (int k = 0; k < n; k++) t.add(fromS + k * stepS);
            return t;
        }

        Double[] empty() {
            return new Double[n];
        }

        Double[] zeros() {
            Double[] z = new Double[n];
            java.util.Arrays.fill(z, 0.0);
            return z;
        }
    }
}
