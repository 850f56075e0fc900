package io.redwatch.collector.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The benchmark's view of PostgreSQL: rows inserted so far (pg_stat_user_tables), the exactly-once
 * check of every agent's rows against its acknowledged batches, and a raw COPY of the same rows into
 * tables of the same shape, as the ceiling to compare end-to-end ingest with.
 */
final class FleetCheck {
    /** The tables ingest writes rows into, and the rows a raw COPY writes again. */
    private static final List<String> TABLES = List.of(
            "info_samples",
            "info_minutes",
            "pings",
            "log_events",
            "log_line_keys",
            "host_facts",
            "process_facts",
            "config_snapshots");

    /** Enough rows a table to time COPY (copied through temporary files, so the generator's heap stays small). */
    private static final int COPY_ROWS_PER_TABLE = 100_000;

    private final String url;

    FleetCheck(String url) {
        this.url = url;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, "postgres", "");
    }

    /** Rows inserted into the database's tables so far (statistics, a second or so behind). */
    long rowsInserted() {
        try (Connection c = connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT coalesce(sum(n_tup_ins), 0) FROM pg_stat_user_tables"
                        + " WHERE relname NOT LIKE 'fleet_copy_%'")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    /** Every agent's stored rows against its acknowledged batches; prints the first mismatches. */
    boolean exactlyOnce(long runId, List<SimulatedAgent> fleet) throws SQLException {
        Map<String, Long> pings;
        Map<String, Long> logs;
        Map<String, Long> infos;
        Map<String, Long> configs;
        Map<String, Long> processes;
        Map<String, Long> hosts;
        Map<String, Long> seqs;
        try (Connection c = connect()) {
            pings = counts(c, "SELECT instance, count(*) FROM pings GROUP BY 1");
            logs = counts(c, "SELECT instance, count(*) FROM log_events GROUP BY 1");
            infos = counts(
                    c,
                    "SELECT i.instance, count(*) FROM info_samples s JOIN instance_ids i ON i.id = s.instance_id GROUP BY 1");
            configs = counts(c, "SELECT instance, count(*) FROM config_snapshots GROUP BY 1");
            processes = counts(c, "SELECT instance, count(*) FROM process_facts GROUP BY 1");
            hosts = counts(c, "SELECT host, count(*) FROM host_facts GROUP BY 1");
            seqs = counts(c, "SELECT agent_id, last_seq FROM agents");
        }
        int bad = 0;
        long stored = 0;
        for (SimulatedAgent a : fleet) {
            String instance = "fleet-" + a.index + ":6379";
            long n = a.acked();
            stored += pings.getOrDefault(instance, 0L);
            String problem = null;
            if (pings.getOrDefault(instance, 0L) != n) problem = "pings " + pings.get(instance);
            else if (infos.getOrDefault(instance, 0L) != n) problem = "INFO samples " + infos.get(instance);
            else if (logs.getOrDefault(instance, 0L) != n * FleetSample.LOG_LINES)
                problem = "log lines " + logs.get(instance);
            else if (processes.getOrDefault(instance, 0L) != n) problem = "process facts " + processes.get(instance);
            else if (hosts.getOrDefault("fleet-" + a.index, 0L) != n)
                problem = "host facts " + hosts.get("fleet-" + a.index);
            else if (configs.getOrDefault(instance, 0L) != a.configsAcked())
                problem = "configs " + configs.get(instance);
            else if (seqs.getOrDefault(a.agentId, 0L) != a.samples()) problem = "last_seq " + seqs.get(a.agentId);
            if (problem != null && bad++ < 5) {
                System.out.println("MISMATCH agent " + a.agentId + ": acknowledged " + n + " batches (" + a.samples()
                        + " sampled), stored " + problem);
            }
        }
        System.out.printf(
                Locale.ROOT,
                "exactly-once check: %d agents, %d batches acknowledged, %d stored (by PING rows),"
                        + " %d agents mismatched%n",
                fleet.size(),
                fleet.stream().mapToLong(SimulatedAgent::acked).sum(),
                stored,
                bad);
        return bad == 0;
    }

    /**
     * Copies the stored rows out (up to {@value #COPY_ROWS_PER_TABLE} per table) and times COPY of
     * them back into logged tables of the same columns and indexes, all in one transaction.
     */
    double rawCopyRowsPerSecond(long runId) throws Exception {
        // Copied out to files, not memory: 100,000 info_minutes rows are ~600 MB of text, which held
        // in byte arrays ran the generator out of heap after a 70-minute run.
        Path dir = Files.createTempDirectory("fleet-copy-" + runId);
        try (Connection c = connect()) {
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            long rows = 0;
            try (Statement st = c.createStatement()) {
                for (String t : TABLES) {
                    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dir.resolve(t)))) {
                        rows += copy.copyOut(
                                "COPY (SELECT * FROM " + t + " LIMIT " + COPY_ROWS_PER_TABLE + ") TO STDOUT", out);
                    }
                    st.execute("DROP TABLE IF EXISTS fleet_copy_" + t);
                    st.execute("CREATE TABLE fleet_copy_" + t + " (LIKE " + t + " INCLUDING ALL)");
                }
            }
            c.setAutoCommit(false);
            long t0 = System.nanoTime();
            for (String t : TABLES) {
                try (InputStream in = new BufferedInputStream(Files.newInputStream(dir.resolve(t)))) {
                    copy.copyIn("COPY fleet_copy_" + t + " FROM STDIN", in);
                }
            }
            c.commit();
            double s = (System.nanoTime() - t0) / 1e9;
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                for (String t : TABLES) st.execute("DROP TABLE fleet_copy_" + t);
            }
            System.out.printf(Locale.ROOT, "raw COPY: %d rows of %s in %.2f s%n", rows, TABLES, s);
            return rows / s;
        } finally {
            for (String t : TABLES) Files.deleteIfExists(dir.resolve(t));
            Files.deleteIfExists(dir);
        }
    }

    /**
     * Alerts opened during the run, by rule, and the notifications queued for them. The simulated
     * fleet is healthy, so each one is spurious: a collector restart must not page.
     */
    Map<String, Long> alertsOpened() throws SQLException {
        try (Connection c = connect()) {
            Map<String, Long> out = counts(c, "SELECT rule, count(*) FROM alerts GROUP BY 1");
            out.putAll(counts(c, "SELECT 'notifications', count(*) FROM notifications"));
            return out;
        }
    }

    private static Map<String, Long> counts(Connection c, String sql) throws SQLException {
        Map<String, Long> out = new HashMap<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
        }
        return out;
    }
}
