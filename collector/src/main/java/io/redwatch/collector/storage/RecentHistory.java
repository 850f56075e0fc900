package io.redwatch.collector.storage;

import io.redwatch.proto.v1.ConfigSnapshot;
import io.redwatch.proto.v1.ConfigValue;
import io.redwatch.proto.v1.FileIdentity;
import io.redwatch.proto.v1.HostFacts;
import io.redwatch.proto.v1.InfoField;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.InfoSection;
import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.LogEvent;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.ProcessFacts;
import io.vertx.core.json.JsonObject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Reads back the recent past of one instance as the agent's records, so that a collector that has
 * just started (or taken over an agent from another collector) judges it with the history the rules
 * need — a resync loop or a rising pipe count does not vanish, and its alert does not falsely
 * resolve, because the collector restarted.
 *
 * <p>Bounded like the live window: INFO at full rate for the newest minutes and one sample a minute
 * before that, without the sections no rule reads; the newest {@code logsPerKind} log events of
 * each kind.
 */
public final class RecentHistory {
    /** INFO fields of sections the rules never read (commandstats, latencystats, keyspace). */
    private static final Pattern UNREAD_INFO_FIELD = Pattern.compile("cmdstat_.*|latency_percentiles_usec_.*|db\\d+");

    private static final String INFO = """
            SELECT v.ts, v.info, v.error, v.source
              FROM redwatch_info v
             WHERE v.instance = ? AND v.ts >= ? AND v.ts IN (
                   SELECT min(s.ts) FROM info_samples s JOIN instance_ids i ON i.id = s.instance_id
                    WHERE i.instance = ? AND s.ts >= ? AND s.ts < ?
                    GROUP BY date_trunc('minute', s.ts)
                    UNION
                   SELECT s.ts FROM info_samples s JOIN instance_ids i ON i.id = s.instance_id
                    WHERE i.instance = ? AND s.ts >= ?)
             ORDER BY v.ts""";
    private static final String PINGS =
            "SELECT ts, outcome, reply, latency_us FROM pings WHERE instance = ? AND ts >= ? ORDER BY ts";
    private static final String PROCESSES = """
            SELECT ts, pid, pid_source, fd_total, fd_sockets, fd_pipes, fd_files, fd_anon_inodes, fd_other,
                   nofile_soft, nofile_hard, vm_rss, vm_size, error
              FROM process_facts WHERE instance = ? AND ts >= ? ORDER BY ts""";
    private static final String LOGS = """
            SELECT ts, ts_from_log, pid, role, level, message, raw, parsed, truncated, file, file_device, file_inode,
                   file_fingerprint, file_head_length, file_offset, end_offset, wrapper
              FROM (SELECT l.*, row_number() OVER (PARTITION BY kind ORDER BY ts DESC) AS newest
                      FROM log_events l WHERE instance = ? AND ts >= ?) l
             WHERE newest <= ?
             ORDER BY ts, file_offset""";
    private static final String CONFIG =
            "SELECT ts, config, unavailable FROM config_snapshots WHERE instance = ? AND ts >= ? ORDER BY ts DESC LIMIT 1";
    private static final String HOST = """
            SELECT ts, mem_total, mem_available, mem_free, cached, swap_total, swap_free, commit_limit, committed_as,
                   overcommit_memory, overcommit_ratio, thp_enabled, thp_defrag, somaxconn, iowait_pct,
                   load1, load5, load15, cpu_count, errors
              FROM host_facts WHERE host = ? AND ts >= ? ORDER BY ts DESC LIMIT 1""";

    private final DataSource db;

    public RecentHistory(DataSource db) {
        this.db = db;
    }

    /**
     * The records of {@code instance} (on {@code host}) from {@code fromMs} on; INFO at full rate
     * from {@code fullRateFromMs}, one a minute before.
     */
    public RecentRecords load(String instance, String host, long fromMs, long fullRateFromMs, int logsPerKind) {
        InstanceRef ref = InstanceRef.newBuilder().setInstance(instance).setHost(host).build();
        try (Connection c = db.getConnection()) {
            return new RecentRecords(infos(c, ref, fromMs, fullRateFromMs), pings(c, ref, fromMs),
                    processes(c, ref, fromMs), logs(c, ref, fromMs, logsPerKind), config(c, ref, fromMs),
                    host(c, host, fromMs));
        } catch (SQLException e) {
            throw new StorageException("cannot read the recent history of " + instance + " from PostgreSQL: " + e.getMessage(), e);
        }
    }

    private static List<InfoSample> infos(Connection c, InstanceRef ref, long fromMs, long fullRateFromMs) throws SQLException {
        List<InfoSample> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(INFO)) {
            ps.setString(1, ref.getInstance());
            ps.setObject(2, BatchRows.ts(fromMs)); // lets PostgreSQL skip older partitions
            ps.setString(3, ref.getInstance());
            ps.setObject(4, BatchRows.ts(fromMs));
            ps.setObject(5, BatchRows.ts(fullRateFromMs));
            ps.setString(6, ref.getInstance());
            ps.setObject(7, BatchRows.ts(fullRateFromMs));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    InfoSample.Builder s = InfoSample.newBuilder().setRef(ref).setTsMs(ms(rs, "ts"))
                            .setError(text(rs, "error")).setSource(text(rs, "source"));
                    String info = rs.getString("info");
                    if (info != null) {
                        // Stored INFO has no sections; rules look fields up by name across sections.
                        InfoSection.Builder all = InfoSection.newBuilder();
                        for (Map.Entry<String, Object> f : new JsonObject(info)) {
                            if (UNREAD_INFO_FIELD.matcher(f.getKey()).matches()) continue;
                            all.addFields(InfoField.newBuilder().setKey(f.getKey()).setValue(String.valueOf(f.getValue())));
                        }
                        s.addSections(all);
                    }
                    out.add(s.build());
                }
            }
        }
        return out;
    }

    private static List<PingResult> pings(Connection c, InstanceRef ref, long fromMs) throws SQLException {
        List<PingResult> out = new ArrayList<>();
        try (PreparedStatement ps = select(c, PINGS, ref.getInstance(), fromMs); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(PingResult.newBuilder().setRef(ref).setTsMs(ms(rs, "ts"))
                        .setOutcome(outcome(rs.getString("outcome"))).setReply(text(rs, "reply"))
                        .setLatencyUs(rs.getLong("latency_us")).build());
            }
        }
        return out;
    }

    private static PingResult.Outcome outcome(String stored) {
        try {
            return PingResult.Outcome.valueOf(stored.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return PingResult.Outcome.OUTCOME_UNSPECIFIED;
        }
    }

    private static List<ProcessFacts> processes(Connection c, InstanceRef ref, long fromMs) throws SQLException {
        List<ProcessFacts> out = new ArrayList<>();
        try (PreparedStatement ps = select(c, PROCESSES, ref.getInstance(), fromMs); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(ProcessFacts.newBuilder().setRef(ref).setTsMs(ms(rs, "ts"))
                        .setPid(rs.getInt("pid")).setPidSource(text(rs, "pid_source"))
                        .setFdTotal((int) rs.getLong("fd_total")).setFdSockets((int) rs.getLong("fd_sockets"))
                        .setFdPipes((int) rs.getLong("fd_pipes")).setFdFiles((int) rs.getLong("fd_files"))
                        .setFdAnonInodes((int) rs.getLong("fd_anon_inodes")).setFdOther((int) rs.getLong("fd_other"))
                        .setNofileSoft(rs.getLong("nofile_soft")).setNofileHard(rs.getLong("nofile_hard"))
                        .setVmRss(rs.getLong("vm_rss")).setVmSize(rs.getLong("vm_size"))
                        .setError(text(rs, "error")).build());
            }
        }
        return out;
    }

    private static List<LogEvent> logs(Connection c, InstanceRef ref, long fromMs, int perKind) throws SQLException {
        List<LogEvent> out = new ArrayList<>();
        try (PreparedStatement ps = select(c, LOGS, ref.getInstance(), fromMs)) {
            ps.setInt(3, perKind);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(LogEvent.newBuilder().setRef(ref).setTsMs(ms(rs, "ts")).setTsFromLog(rs.getBoolean("ts_from_log"))
                            .setPid(rs.getInt("pid")).setRole(text(rs, "role")).setLevel(level(rs.getString("level")))
                            .setMessage(text(rs, "message")).setRaw(text(rs, "raw"))
                            .setParsed(rs.getBoolean("parsed")).setTruncated(rs.getBoolean("truncated"))
                            .setFile(text(rs, "file"))
                            .setFileId(FileIdentity.newBuilder().setDevice(rs.getLong("file_device")).setInode(rs.getLong("file_inode"))
                                    .setHeadFingerprint(text(rs, "file_fingerprint")).setHeadLength(rs.getInt("file_head_length")))
                            .setOffset(rs.getLong("file_offset")).setEndOffset(rs.getLong("end_offset"))
                            .setWrapper(text(rs, "wrapper")).build());
                }
            }
        }
        return out;
    }

    private static LogEvent.Level level(String stored) {
        if (stored == null) return LogEvent.Level.LEVEL_UNSPECIFIED;
        return switch (stored) {
            case "debug" -> LogEvent.Level.DEBUG;
            case "verbose" -> LogEvent.Level.VERBOSE;
            case "notice" -> LogEvent.Level.NOTICE;
            case "warning" -> LogEvent.Level.WARNING;
            default -> LogEvent.Level.LEVEL_UNSPECIFIED;
        };
    }

    private static ConfigSnapshot config(Connection c, InstanceRef ref, long fromMs) throws SQLException {
        try (PreparedStatement ps = select(c, CONFIG, ref.getInstance(), fromMs); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) return null;
            ConfigSnapshot.Builder b = ConfigSnapshot.newBuilder().setRef(ref).setTsMs(ms(rs, "ts"));
            for (Map.Entry<String, Object> v : new JsonObject(rs.getString("config"))) {
                b.addValues(ConfigValue.newBuilder().setKey(v.getKey()).setValue(String.valueOf(v.getValue())));
            }
            for (Map.Entry<String, Object> v : new JsonObject(rs.getString("unavailable"))) {
                b.addUnavailable(ConfigValue.newBuilder().setKey(v.getKey()).setValue(String.valueOf(v.getValue())));
            }
            return b.build();
        }
    }

    private static HostFacts host(Connection c, String host, long fromMs) throws SQLException {
        try (PreparedStatement ps = select(c, HOST, host, fromMs); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) return null;
            HostFacts.Builder b = HostFacts.newBuilder().setHost(host).setTsMs(ms(rs, "ts"))
                    .setMemTotal(rs.getLong("mem_total")).setMemAvailable(rs.getLong("mem_available"))
                    .setMemFree(rs.getLong("mem_free")).setCached(rs.getLong("cached"))
                    .setSwapTotal(rs.getLong("swap_total")).setSwapFree(rs.getLong("swap_free"))
                    .setCommitLimit(rs.getLong("commit_limit")).setCommittedAs(rs.getLong("committed_as"))
                    // Stored as null when the agent could not read them; the record says -1.
                    .setOvercommitMemory(intOr(rs, "overcommit_memory", -1)).setOvercommitRatio(intOr(rs, "overcommit_ratio", -1))
                    .setThpEnabled(text(rs, "thp_enabled")).setThpDefrag(text(rs, "thp_defrag"))
                    .setSomaxconn(intOr(rs, "somaxconn", -1)).setIowaitPct(rs.getDouble("iowait_pct"))
                    .setLoad1(rs.getDouble("load1")).setLoad5(rs.getDouble("load5")).setLoad15(rs.getDouble("load15"))
                    .setCpuCount(rs.getInt("cpu_count"));
            Array errors = rs.getArray("errors");
            if (errors != null) {
                for (Object e : (Object[]) errors.getArray()) b.addErrors(String.valueOf(e));
            }
            return b.build();
        }
    }

    private static PreparedStatement select(Connection c, String sql, String key, long fromMs) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        ps.setString(1, key);
        ps.setObject(2, BatchRows.ts(fromMs));
        return ps;
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
