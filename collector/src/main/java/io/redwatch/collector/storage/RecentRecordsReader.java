package io.redwatch.collector.storage;

import io.redwatch.collector.facts.InfoField;
import io.redwatch.collector.facts.LogClassifier;
import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.facts.SharedText;
import io.redwatch.collector.facts.TypedInfo;
import io.redwatch.proto.v1.ConfigSnapshot;
import io.redwatch.proto.v1.ConfigValue;
import io.redwatch.proto.v1.HostFacts;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.ProcessFacts;
import io.vertx.core.json.JsonObject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Reads back the recent past of many instances at once, in the form their live windows hold it,
 * so that a collector that has just started (or taken agents over from another collector) judges
 * them with the history the rules need — a resync loop or a rising pipe count does not vanish, and
 * its alert does not falsely resolve, because the collector restarted.
 *
 * <p>One query per kind of record for a whole group of instances (a restart with thousands of
 * agents reconnecting runs a few dozen queries, not six per instance). Bounded like the live
 * window: INFO and process facts at full rate for the newest minutes and one a minute before that,
 * only the INFO fields of the catalog ({@link InfoField}); the newest PINGs; the newest log lines
 * of each kind, with the kind stored when they arrived (never classified again).
 */
public final class RecentRecordsReader {
    /** The INFO fields a window keeps: the rest of a stored reply never leaves PostgreSQL. */
    private static final String[] WINDOW_FIELDS = Arrays.stream(InfoField.values())
            .filter(f -> f.keep() != InfoField.Keep.STORAGE)
            .map(InfoField::key)
            .toArray(String[]::new);

    private static final String INFO = """
            WITH picked AS (
                SELECT i.instance, min(s.ts) AS ts
                  FROM info_samples s JOIN instance_ids i ON i.id = s.instance_id
                 WHERE i.instance = ANY(?) AND s.ts >= ? AND s.ts < ?
                 GROUP BY i.instance, date_trunc('minute', s.ts)
                UNION
                SELECT i.instance, s.ts
                  FROM info_samples s JOIN instance_ids i ON i.id = s.instance_id
                 WHERE i.instance = ANY(?) AND s.ts >= ?)
            SELECT v.instance, v.ts, v.error, v.source,
                   (SELECT jsonb_object_agg(f.key, f.value) FROM jsonb_each_text(v.info) f WHERE f.key = ANY(?)) AS info
              FROM redwatch_info v
             WHERE v.instance = ANY(?) AND v.ts >= ? AND (v.instance, v.ts) IN (SELECT instance, ts FROM picked)
             ORDER BY v.instance, v.ts""";
    private static final String PINGS = """
            SELECT instance, ts, outcome, reply, latency_us
              FROM (SELECT p.*, row_number() OVER (PARTITION BY instance ORDER BY ts DESC) AS newest
                      FROM pings p WHERE instance = ANY(?) AND ts >= ?) p
             WHERE newest <= ?
             ORDER BY instance, ts""";
    private static final String PROCESSES = """
            SELECT DISTINCT ON (instance, bucket)
                   instance, ts, pid, pid_source, fd_total, fd_sockets, fd_pipes, fd_files, fd_anon_inodes, fd_other,
                   nofile_soft, nofile_hard, vm_rss, vm_size, error
              FROM (SELECT p.*, CASE WHEN ts >= ? THEN ts ELSE date_trunc('minute', ts) END AS bucket
                      FROM process_facts p WHERE instance = ANY(?) AND ts >= ?) p
             ORDER BY instance, bucket, ts""";
    private static final String LOGS = """
            SELECT instance, ts, ts_from_log, pid, kind, left(coalesce(nullif(message, ''), raw), ?) AS text
              FROM (SELECT l.*, row_number() OVER (PARTITION BY instance, kind ORDER BY ts DESC) AS newest
                      FROM log_events l WHERE instance = ANY(?) AND ts >= ?) l
             WHERE newest <= CASE WHEN kind = 'other' THEN ? WHEN kind = ANY(?) THEN ? ELSE ? END
             ORDER BY instance, ts, file_offset""";
    private static final String CONFIG = """
            SELECT DISTINCT ON (instance) instance, ts, config, unavailable
              FROM config_snapshots WHERE instance = ANY(?) AND ts >= ? ORDER BY instance, ts DESC""";
    private static final String HOST = """
            SELECT DISTINCT ON (host) host, ts, mem_total, mem_available, mem_free, cached, swap_total, swap_free,
                   commit_limit, committed_as, overcommit_memory, overcommit_ratio, thp_enabled, thp_defrag, somaxconn,
                   iowait_pct, load1, load5, load15, cpu_count, errors
              FROM host_facts WHERE host = ANY(?) AND ts >= ? ORDER BY host, ts DESC""";

    /** How much of each instance's past to read back. */
    public record Bounds(
            long fromMs, long fullRateFromMs, int logsPerKind, int routineLogs, int otherLogs, int pings) {}

    private static final String[] ROUTINE_KINDS = Arrays.stream(LogKind.values())
            .filter(LogKind::routine)
            .map(LogKind::id)
            .toArray(String[]::new);

    /** One instance to read back, and the host it runs on (for the host's facts). */
    public record Wanted(String instance, String host) {}

    private final DataSource db;

    public RecentRecordsReader(DataSource db) {
        this.db = db;
    }

    /** The records of one instance (see {@link #load(Collection, Bounds)}). */
    public RecentRecords load(String instance, String host, Bounds bounds) {
        return load(List.of(new Wanted(instance, host)), bounds).getOrDefault(instance, RecentRecords.NONE);
    }

    /** The records of each wanted instance, by instance; one query per kind of record for all of them. */
    public Map<String, RecentRecords> load(Collection<Wanted> wanted, Bounds bounds) {
        String[] instances = wanted.stream().map(Wanted::instance).distinct().toArray(String[]::new);
        String[] hosts = new LinkedHashSet<>(wanted.stream().map(Wanted::host).toList()).toArray(String[]::new);
        Map<String, Parts> parts = new HashMap<>();
        try (Connection c = db.getConnection()) {
            Array names = c.createArrayOf("text", instances);
            infos(c, names, bounds, parts);
            pings(c, names, bounds, parts);
            processes(c, names, bounds, parts);
            logs(c, names, bounds, parts);
            configs(c, names, bounds, parts);
            Map<String, HostFacts> hostFacts = hosts(c, c.createArrayOf("text", hosts), bounds.fromMs());
            Map<String, RecentRecords> out = new HashMap<>();
            for (Wanted w : wanted) {
                Parts p = parts.getOrDefault(w.instance(), new Parts());
                out.put(
                        w.instance(),
                        new RecentRecords(p.infos, p.pings, p.processes, p.logs, p.config, hostFacts.get(w.host())));
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException(
                    "cannot read the recent history of " + instances.length + " instance(s) (" + instances[0]
                            + (instances.length > 1 ? ", …" : "") + ") from PostgreSQL: " + e.getMessage(),
                    e);
        }
    }

    /** One instance's records while they are read. */
    private static final class Parts {
        final List<TypedInfo> infos = new ArrayList<>();
        final List<PingResult> pings = new ArrayList<>();
        final List<ProcessFacts> processes = new ArrayList<>();
        final List<LogLine> logs = new ArrayList<>();
        ConfigSnapshot config;
    }

    private static Parts parts(Map<String, Parts> parts, ResultSet rs) throws SQLException {
        return parts.computeIfAbsent(rs.getString("instance"), k -> new Parts());
    }

    private static void infos(Connection c, Array names, Bounds b, Map<String, Parts> parts) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INFO)) {
            ps.setArray(1, names);
            ps.setObject(2, BatchRows.ts(b.fromMs()));
            ps.setObject(3, BatchRows.ts(b.fullRateFromMs()));
            ps.setArray(4, names);
            ps.setObject(5, BatchRows.ts(b.fullRateFromMs()));
            ps.setArray(6, c.createArrayOf("text", WINDOW_FIELDS));
            ps.setArray(7, names);
            ps.setObject(8, BatchRows.ts(b.fromMs())); // lets PostgreSQL skip older partitions
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String info = rs.getString("info");
                    Map<String, String> fields = new HashMap<>();
                    if (info != null) {
                        for (Map.Entry<String, Object> f : new JsonObject(info))
                            fields.put(f.getKey(), String.valueOf(f.getValue()));
                    }
                    parts(parts, rs)
                            .infos
                            .add(TypedInfo.of(
                                    ms(rs, "ts"),
                                    "file".equals(rs.getString("source")),
                                    !text(rs, "error").isEmpty(),
                                    fields));
                }
            }
        }
    }

    private static void pings(Connection c, Array names, Bounds b, Map<String, Parts> parts) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(PINGS)) {
            ps.setArray(1, names);
            ps.setObject(2, BatchRows.ts(b.fromMs()));
            ps.setInt(3, b.pings());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    parts(parts, rs)
                            .pings
                            .add(PingResult.newBuilder()
                                    .setTsMs(ms(rs, "ts"))
                                    .setOutcome(outcome(rs.getString("outcome")))
                                    .setReply(SharedText.of(text(rs, "reply")))
                                    .setLatencyUs(rs.getLong("latency_us"))
                                    .build());
                }
            }
        }
    }

    private static PingResult.Outcome outcome(String stored) {
        try {
            return PingResult.Outcome.valueOf(stored.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return PingResult.Outcome.OUTCOME_UNSPECIFIED;
        }
    }

    private static void processes(Connection c, Array names, Bounds b, Map<String, Parts> parts) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(PROCESSES)) {
            ps.setObject(1, BatchRows.ts(b.fullRateFromMs()));
            ps.setArray(2, names);
            ps.setObject(3, BatchRows.ts(b.fromMs()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    parts(parts, rs)
                            .processes
                            .add(ProcessFacts.newBuilder()
                                    .setTsMs(ms(rs, "ts"))
                                    .setPid(rs.getInt("pid"))
                                    .setPidSource(SharedText.of(text(rs, "pid_source")))
                                    .setFdTotal((int) rs.getLong("fd_total"))
                                    .setFdSockets((int) rs.getLong("fd_sockets"))
                                    .setFdPipes((int) rs.getLong("fd_pipes"))
                                    .setFdFiles((int) rs.getLong("fd_files"))
                                    .setFdAnonInodes((int) rs.getLong("fd_anon_inodes"))
                                    .setFdOther((int) rs.getLong("fd_other"))
                                    .setNofileSoft(rs.getLong("nofile_soft"))
                                    .setNofileHard(rs.getLong("nofile_hard"))
                                    .setVmRss(rs.getLong("vm_rss"))
                                    .setVmSize(rs.getLong("vm_size"))
                                    .setError(text(rs, "error"))
                                    .build());
                }
            }
        }
    }

    private static void logs(Connection c, Array names, Bounds b, Map<String, Parts> parts) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LOGS)) {
            ps.setInt(1, LogLine.MAX_TEXT);
            ps.setArray(2, names);
            ps.setObject(3, BatchRows.ts(b.fromMs()));
            ps.setInt(4, b.otherLogs());
            ps.setArray(5, c.createArrayOf("text", ROUTINE_KINDS));
            ps.setInt(6, b.routineLogs());
            ps.setInt(7, b.logsPerKind());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String text = text(rs, "text");
                    parts(parts, rs)
                            .logs
                            .add(new LogLine(
                                    ms(rs, "ts"),
                                    rs.getBoolean("ts_from_log"),
                                    rs.getInt("pid"),
                                    kind(rs.getString("kind"), text),
                                    text));
                }
            }
        }
    }

    /** The kind stored with the line; a kind this collector does not know (a newer one wrote it) is classified again. */
    private static LogKind kind(String stored, String text) {
        try {
            return stored == null ? LogClassifier.kind(text) : LogKind.valueOf(stored.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return LogClassifier.kind(text);
        }
    }

    private static void configs(Connection c, Array names, Bounds b, Map<String, Parts> parts) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(CONFIG)) {
            ps.setArray(1, names);
            ps.setObject(2, BatchRows.ts(b.fromMs()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ConfigSnapshot.Builder cb = ConfigSnapshot.newBuilder().setTsMs(ms(rs, "ts"));
                    for (Map.Entry<String, Object> v : new JsonObject(rs.getString("config"))) {
                        cb.addValues(
                                ConfigValue.newBuilder().setKey(v.getKey()).setValue(String.valueOf(v.getValue())));
                    }
                    for (Map.Entry<String, Object> v : new JsonObject(rs.getString("unavailable"))) {
                        cb.addUnavailable(
                                ConfigValue.newBuilder().setKey(v.getKey()).setValue(String.valueOf(v.getValue())));
                    }
                    parts(parts, rs).config = cb.build();
                }
            }
        }
    }

    private static Map<String, HostFacts> hosts(Connection c, Array hosts, long fromMs) throws SQLException {
        Map<String, HostFacts> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(HOST)) {
            ps.setArray(1, hosts);
            ps.setObject(2, BatchRows.ts(fromMs));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String host = rs.getString("host");
                    HostFacts.Builder b = HostFacts.newBuilder()
                            .setHost(host)
                            .setTsMs(ms(rs, "ts"))
                            .setMemTotal(rs.getLong("mem_total"))
                            .setMemAvailable(rs.getLong("mem_available"))
                            .setMemFree(rs.getLong("mem_free"))
                            .setCached(rs.getLong("cached"))
                            .setSwapTotal(rs.getLong("swap_total"))
                            .setSwapFree(rs.getLong("swap_free"))
                            .setCommitLimit(rs.getLong("commit_limit"))
                            .setCommittedAs(rs.getLong("committed_as"))
                            // Stored as null when the agent could not read them; the record says -1.
                            .setOvercommitMemory(intOr(rs, "overcommit_memory", -1))
                            .setOvercommitRatio(intOr(rs, "overcommit_ratio", -1))
                            .setThpEnabled(text(rs, "thp_enabled"))
                            .setThpDefrag(text(rs, "thp_defrag"))
                            .setSomaxconn(intOr(rs, "somaxconn", -1))
                            .setIowaitPct(rs.getDouble("iowait_pct"))
                            .setLoad1(rs.getDouble("load1"))
                            .setLoad5(rs.getDouble("load5"))
                            .setLoad15(rs.getDouble("load15"))
                            .setCpuCount(rs.getInt("cpu_count"));
                    Array errors = rs.getArray("errors");
                    if (errors != null) {
                        for (Object e : (Object[]) errors.getArray()) b.addErrors(String.valueOf(e));
                    }
                    out.put(host, b.build());
                }
            }
        }
        return out;
    }

    private static long ms(ResultSet rs, String column) throws SQLException {
        return rs.getTimestamp(column).getTime();
    }

    private static String text(ResultSet rs, String column) throws SQLException {
        String s = rs.getString(column);
        return s == null ? "" : s;
    }

    private static int intOr(ResultSet rs, String column, int absent) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? absent : v;
    }
}
