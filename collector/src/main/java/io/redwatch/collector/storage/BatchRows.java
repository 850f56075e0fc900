package io.redwatch.collector.storage;

import io.redwatch.collector.facts.BatchFacts;
import io.redwatch.collector.facts.LogKind;
import io.redwatch.proto.v1.ConfigSnapshot;
import io.redwatch.proto.v1.ConfigValue;
import io.redwatch.proto.v1.Gap;
import io.redwatch.proto.v1.HostFacts;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.LogEvent;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.ProcessFacts;
import io.redwatch.proto.v1.Record;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The rows of a group of batches (one or many agents'), written inside the caller's transaction:
 * one PreparedStatement per table for the whole group, filled with addBatch and sent with
 * executeBatch (multi-row INSERTs with reWriteBatchedInserts). Each row remembers which batch it
 * came from, so each batch learns how many rows it wrote.
 */
final class BatchRows implements AutoCloseable {
    private enum Table {
        INFO_SAMPLE("INSERT INTO info_samples (instance_id, ts, "
                + InfoColumns.TYPED.stream().map(InfoColumns.Column::field).collect(Collectors.joining(", "))
                + ") VALUES (?, ?" + ", ?".repeat(InfoColumns.TYPED.size()) + ") ON CONFLICT DO NOTHING"),
        INFO_RECORD("INSERT INTO info_minutes (instance_id, ts, source, fields) VALUES (?, ?, ?, ?::jsonb)"
                + " ON CONFLICT DO NOTHING"),
        INFO_ERROR("INSERT INTO info_errors (instance_id, ts, has_fields, error, unparsed_lines) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT DO NOTHING"),
        PING("INSERT INTO pings (instance, ts, outcome, reply, latency_us) VALUES (?, ?, ?, ?, ?)"),
        CONFIG("INSERT INTO config_snapshots (instance, ts, config, unavailable) VALUES (?, ?, ?::jsonb, ?::jsonb)"),
        // the key row and the line in one statement: no key row, no line (see log_line_keys)
        LOG("WITH new_line AS (INSERT INTO log_line_keys (instance_id, file_inode, file_offset, file_fingerprint)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1)"
                + " INSERT INTO log_events (instance, ts, ts_from_log, pid, role, level, message, raw, parsed, truncated,"
                + " file, file_device, file_inode, file_fingerprint, file_head_length, file_offset, end_offset, wrapper, kind)"
                + " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM new_line"),
        HOST("INSERT INTO host_facts (host, ts, mem_total, mem_available, mem_free, cached, swap_total, swap_free,"
                + " commit_limit, committed_as, overcommit_memory, overcommit_ratio, thp_enabled, thp_defrag,"
                + " somaxconn, iowait_pct, load1, load5, load15, cpu_count, errors)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        PROCESS("INSERT INTO process_facts (instance, ts, pid, pid_source, fd_total, fd_sockets, fd_pipes, fd_files,"
                + " fd_anon_inodes, fd_other, nofile_soft, nofile_hard, vm_rss, vm_size, error)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        GAP("INSERT INTO gaps (agent_id, host, from_ts, to_ts, records_lost, batches_lost, reason, batch_seq)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");

        final String sql;

        Table(String sql) {
            this.sql = sql;
        }
    }

    private static final String UPSERT_INSTANCE = "INSERT INTO instances"
            + " (instance, host, port, role, redis_version, agent_id, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (instance) DO UPDATE SET host = EXCLUDED.host,"
            + " port = COALESCE(EXCLUDED.port, instances.port),"
            + " role = COALESCE(EXCLUDED.role, instances.role),"
            + " redis_version = COALESCE(EXCLUDED.redis_version, instances.redis_version),"
            + " agent_id = EXCLUDED.agent_id,"
            + " last_seen = GREATEST(instances.last_seen, EXCLUDED.last_seen)";

    /** What a batch says about one instance, for the instances table. */
    private static final class Seen {
        String agentId;
        String host;
        Integer port;
        String role;
        String redisVersion;
        long lastSeenMs = Long.MIN_VALUE;
    }

    private final Connection connection;
    private final InfoWritePlanner.Plan infoPlan;
    private final InstanceIds.Lookup ids;
    private final Map<Table, PreparedStatement> statements = new EnumMap<>(Table.class);
    /** Per table, the index of the batch each added row belongs to, in the order added. */
    private final Map<Table, RowOwners> owners = new EnumMap<>(Table.class);
    // sorted, so concurrent groups lock instance rows in the same order
    private final Map<String, Seen> instances = new TreeMap<>();
    // instance id -> time of its latest INFO record in this group, for InfoBucketCloser
    private final Map<Integer, Long> recordsWritten = new TreeMap<>();
    private int batchIndex = -1;
    private String agentId;
    private String agentHost;
    private long seq;

    BatchRows(Connection connection, InfoWritePlanner.Plan infoPlan, InstanceIds.Lookup ids) {
        this.connection = connection;
        this.infoPlan = infoPlan;
        this.ids = ids;
    }

    /** The records added next belong to batch {@code index} of the group, of this agent. */
    void begin(int index, String agentId, String agentHost, long seq) {
        this.batchIndex = index;
        this.agentId = PgText.of(agentId);
        this.agentHost = PgText.of(agentHost);
        this.seq = seq;
    }

    /** Adds record {@code i} of the batch, with what ingest already read of it. */
    void add(BatchFacts facts, int i) throws SQLException {
        Record record = facts.records().get(i);
        switch (record.getKindCase()) {
            case INFO -> info(record.getInfo(), facts.infoFields(i));
            case PING -> ping(record.getPing());
            case CONFIG -> config(record.getConfig());
            case LOG -> log(record.getLog(), facts.logLine(i).kind());
            case HOST -> host(record.getHost());
            case PROCESS -> process(record.getProcess());
            case GAP -> gap(record.getGap());
            case KIND_NOT_SET ->
                throw new StorageException("batch " + seq + " of agent " + agentId
                        + " holds a record with no kind; the agent is newer or broken: upgrade the collector");
        }
    }

    /**
     * Sends every pending row and upserts the instances seen; adds the rows each batch wrote to
     * {@code rowsPerBatch} (indexed as in {@link #begin}).
     */
    void flush(int[] rowsPerBatch) throws SQLException {
        for (Map.Entry<Table, PreparedStatement> e : statements.entrySet()) {
            int[] counts = e.getValue().executeBatch();
            RowOwners rowOwners = owners.get(e.getKey());
            for (int i = 0; i < counts.length; i++) {
                // rewritten multi-row inserts report SUCCESS_NO_INFO per row
                int count = counts[i] == Statement.SUCCESS_NO_INFO ? 1 : Math.max(counts[i], 0);
                rowsPerBatch[rowOwners.get(i)] += count;
            }
        }
        if (!instances.isEmpty()) {
            try (PreparedStatement ps = connection.prepareStatement(UPSERT_INSTANCE)) {
                for (Map.Entry<String, Seen> e : instances.entrySet()) {
                    Seen s = e.getValue();
                    ps.setString(1, e.getKey());
                    ps.setString(2, s.host);
                    setInteger(ps, 3, s.port);
                    ps.setString(4, s.role);
                    ps.setString(5, s.redisVersion);
                    ps.setString(6, s.agentId);
                    ps.setObject(7, ts(s.lastSeenMs));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    /** Instance id -> time of its latest INFO record added (once flushed and committed: written). */
    Map<Integer, Long> recordsWritten() {
        return recordsWritten;
    }

    @Override
    public void close() throws SQLException {
        SQLException first = null;
        for (PreparedStatement ps : statements.values()) {
            try {
                ps.close();
            } catch (SQLException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private void info(InfoSample s, Map<String, String> fields) throws SQLException {
        String instance = seen(s.getRef(), s.getTsMs());
        int id = ids.id(instance);
        OffsetDateTime ts = ts(s.getTsMs());
        PreparedStatement sample = statement(Table.INFO_SAMPLE);
        sample.setInt(1, id);
        sample.setObject(2, ts);
        if (fields.isEmpty()) {
            for (int i = 0; i < InfoColumns.TYPED.size(); i++) {
                sample.setNull(3 + i, Types.NULL);
            }
        } else {
            Seen seen = instances.get(instance);
            seen.role = PgText.of(fields.getOrDefault("role", seen.role));
            seen.redisVersion = PgText.of(fields.getOrDefault("redis_version", seen.redisVersion));
            InfoWritePlanner.Decision d = infoPlan.decide(instance, s.getTsMs(), s.getSource(), fields);
            Object[] typed = d.typed();
            for (int i = 0; i < typed.length; i++) {
                sample.setObject(3 + i, typed[i]);
            }
            if (d.record() != null) {
                PreparedStatement record = statement(Table.INFO_RECORD);
                record.setInt(1, id);
                record.setObject(2, ts);
                setText(record, 3, s.getSource().isEmpty() ? null : s.getSource());
                record.setString(4, FlatJson.of(d.record()));
                added(Table.INFO_RECORD, record);
                recordsWritten.merge(id, s.getTsMs(), Math::max);
            }
        }
        added(Table.INFO_SAMPLE, sample);
        if (fields.isEmpty() || !s.getError().isEmpty() || s.getUnparsedLinesCount() > 0) {
            PreparedStatement error = statement(Table.INFO_ERROR);
            error.setInt(1, id);
            error.setObject(2, ts);
            error.setBoolean(3, !fields.isEmpty());
            setText(error, 4, s.getError().isEmpty() ? null : s.getError());
            error.setArray(5, s.getUnparsedLinesCount() == 0 ? null : textArray(s.getUnparsedLinesList()));
            added(Table.INFO_ERROR, error);
        }
    }

    private void ping(PingResult r) throws SQLException {
        PreparedStatement ps = statement(Table.PING);
        ps.setString(1, seen(r.getRef(), r.getTsMs()));
        ps.setObject(2, ts(r.getTsMs()));
        ps.setString(3, lower(r.getOutcome().name()));
        setText(ps, 4, r.getReply());
        ps.setLong(5, r.getLatencyUs());
        added(Table.PING, ps);
    }

    private void config(ConfigSnapshot c) throws SQLException {
        PreparedStatement ps = statement(Table.CONFIG);
        ps.setString(1, seen(c.getRef(), c.getTsMs()));
        ps.setObject(2, ts(c.getTsMs()));
        ps.setString(3, FlatJson.of(toMap(c.getValuesList())));
        ps.setString(4, FlatJson.of(toMap(c.getUnavailableList())));
        added(Table.CONFIG, ps);
    }

    private void log(LogEvent e, LogKind kind) throws SQLException {
        PreparedStatement ps = statement(Table.LOG);
        String instance = seen(e.getRef(), e.getTsMs());
        String fingerprint = PgText.of(e.getFileId().getHeadFingerprint());
        ps.setInt(1, ids.id(instance));
        ps.setLong(2, e.getFileId().getInode());
        ps.setLong(3, e.getOffset());
        ps.setString(4, fingerprint);
        ps.setString(5, instance);
        ps.setObject(6, ts(e.getTsMs()));
        ps.setBoolean(7, e.getTsFromLog());
        ps.setInt(8, e.getPid());
        setText(ps, 9, e.getRole().isEmpty() ? null : e.getRole());
        ps.setString(10, level(e.getLevel()));
        setText(ps, 11, e.getMessage());
        setText(ps, 12, e.getRaw());
        ps.setBoolean(13, e.getParsed());
        ps.setBoolean(14, e.getTruncated());
        setText(ps, 15, e.getFile());
        ps.setLong(16, e.getFileId().getDevice());
        ps.setLong(17, e.getFileId().getInode());
        ps.setString(18, fingerprint);
        ps.setInt(19, e.getFileId().getHeadLength());
        ps.setLong(20, e.getOffset());
        ps.setLong(21, e.getEndOffset());
        setText(ps, 22, e.getWrapper().isEmpty() ? null : e.getWrapper());
        // What the line means (fork_failed, full_resync, ...), so operators can select by it in SQL.
        ps.setString(23, kind.id());
        added(Table.LOG, ps);
    }

    private void host(HostFacts h) throws SQLException {
        PreparedStatement ps = statement(Table.HOST);
        setText(ps, 1, h.getHost().isEmpty() ? agentHost : h.getHost());
        ps.setObject(2, ts(h.getTsMs()));
        ps.setLong(3, h.getMemTotal());
        ps.setLong(4, h.getMemAvailable());
        ps.setLong(5, h.getMemFree());
        ps.setLong(6, h.getCached());
        ps.setLong(7, h.getSwapTotal());
        ps.setLong(8, h.getSwapFree());
        ps.setLong(9, h.getCommitLimit());
        ps.setLong(10, h.getCommittedAs());
        setInteger(ps, 11, h.getOvercommitMemory() < 0 ? null : h.getOvercommitMemory());
        setInteger(ps, 12, h.getOvercommitRatio() < 0 ? null : h.getOvercommitRatio());
        setText(ps, 13, h.getThpEnabled().isEmpty() ? null : h.getThpEnabled());
        setText(ps, 14, h.getThpDefrag().isEmpty() ? null : h.getThpDefrag());
        setInteger(ps, 15, h.getSomaxconn() < 0 ? null : h.getSomaxconn());
        ps.setDouble(16, h.getIowaitPct());
        ps.setDouble(17, h.getLoad1());
        ps.setDouble(18, h.getLoad5());
        ps.setDouble(19, h.getLoad15());
        ps.setInt(20, h.getCpuCount());
        ps.setArray(21, h.getErrorsCount() == 0 ? null : textArray(h.getErrorsList()));
        added(Table.HOST, ps);
    }

    private void process(ProcessFacts f) throws SQLException {
        PreparedStatement ps = statement(Table.PROCESS);
        ps.setString(1, seen(f.getRef(), f.getTsMs()));
        ps.setObject(2, ts(f.getTsMs()));
        setInteger(ps, 3, f.getPid() == 0 ? null : f.getPid());
        setText(ps, 4, f.getPidSource().isEmpty() ? null : f.getPidSource());
        ps.setLong(5, Integer.toUnsignedLong(f.getFdTotal()));
        ps.setLong(6, Integer.toUnsignedLong(f.getFdSockets()));
        ps.setLong(7, Integer.toUnsignedLong(f.getFdPipes()));
        ps.setLong(8, Integer.toUnsignedLong(f.getFdFiles()));
        ps.setLong(9, Integer.toUnsignedLong(f.getFdAnonInodes()));
        ps.setLong(10, Integer.toUnsignedLong(f.getFdOther()));
        ps.setLong(11, f.getNofileSoft());
        ps.setLong(12, f.getNofileHard());
        ps.setLong(13, f.getVmRss());
        ps.setLong(14, f.getVmSize());
        setText(ps, 15, f.getError().isEmpty() ? null : f.getError());
        added(Table.PROCESS, ps);
    }

    private void gap(Gap g) throws SQLException {
        PreparedStatement ps = statement(Table.GAP);
        ps.setString(1, agentId);
        ps.setString(2, agentHost);
        ps.setObject(3, ts(g.getFromMs()));
        ps.setObject(4, ts(g.getToMs()));
        ps.setLong(5, g.getRecordsLost());
        ps.setLong(6, g.getBatchesLost());
        setText(ps, 7, g.getReason());
        ps.setLong(8, seq);
        added(Table.GAP, ps);
    }

    /** Notes that the batch speaks of this instance; returns its key ("host:port"). */
    private String seen(InstanceRef ref, long tsMs) {
        String instance = instanceKey(ref);
        Seen s = instances.computeIfAbsent(instance, k -> new Seen());
        s.host = !ref.getHost().isEmpty() ? PgText.of(ref.getHost()) : s.host != null ? s.host : hostOf(instance);
        s.port = ref.getPort() != 0 ? Integer.valueOf(ref.getPort()) : s.port;
        s.lastSeenMs = Math.max(s.lastSeenMs, tsMs);
        s.agentId = agentId; // the latest batch of the group to name it owns it
        return instance;
    }

    static String instanceKey(InstanceRef ref) {
        if (!ref.getInstance().isEmpty()) {
            return PgText.of(ref.getInstance());
        }
        if (ref.getHost().isEmpty()) {
            throw new StorageException("a record names no instance (InstanceRef has neither instance nor host);"
                    + " the agent must send host:port");
        }
        return PgText.of(ref.getHost()) + ":" + ref.getPort();
    }

    private static String hostOf(String instance) {
        int colon = instance.lastIndexOf(':');
        return colon > 0 ? instance.substring(0, colon) : instance;
    }

    private void added(Table table, PreparedStatement ps) throws SQLException {
        ps.addBatch();
        owners.computeIfAbsent(table, t -> new RowOwners()).add(batchIndex);
    }

    /** A growable list of batch indexes, one per row added to a statement. */
    private static final class RowOwners {
        private int[] owners = new int[64];
        private int size;

        void add(int owner) {
            if (size == owners.length) owners = java.util.Arrays.copyOf(owners, size * 2);
            owners[size++] = owner;
        }

        int get(int row) {
            return owners[row];
        }
    }

    private PreparedStatement statement(Table table) throws SQLException {
        PreparedStatement ps = statements.get(table);
        if (ps == null) {
            ps = connection.prepareStatement(table.sql);
            statements.put(table, ps);
        }
        return ps;
    }

    static OffsetDateTime ts(long epochMs) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMs), ZoneOffset.UTC);
    }

    /** Every text parameter goes through here or {@link FlatJson}: see {@link PgText}. */
    private static void setText(PreparedStatement ps, int index, String value) throws SQLException {
        ps.setString(index, PgText.of(value));
    }

    private java.sql.Array textArray(List<String> values) throws SQLException {
        Object[] clean = new Object[values.size()];
        for (int i = 0; i < clean.length; i++) {
            clean[i] = PgText.of(values.get(i));
        }
        return connection.createArrayOf("text", clean);
    }

    private static void setInteger(PreparedStatement ps, int index, Integer value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setInt(index, value);
        }
    }

    private static Map<String, String> toMap(List<ConfigValue> values) {
        Map<String, String> map = new LinkedHashMap<>();
        for (ConfigValue v : values) {
            map.put(v.getKey(), v.getValue());
        }
        return map;
    }

    static String level(LogEvent.Level level) {
        return switch (level) {
            case DEBUG -> "debug";
            case VERBOSE -> "verbose";
            case NOTICE -> "notice";
            case WARNING -> "warning";
            case LEVEL_UNSPECIFIED, UNRECOGNIZED -> null;
        };
    }

    private static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
