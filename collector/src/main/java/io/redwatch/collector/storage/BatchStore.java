package io.redwatch.collector.storage;

import io.redwatch.collector.facts.BatchFacts;
import io.redwatch.proto.v1.Batch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * Stores agents' batches exactly once. Each {@link #store} (one batch) or {@link #storeTogether}
 * (many agents' batches: group commit) runs in one transaction that locks the agents' rows, so a
 * batch is either stored whole with its sequence number or not at all, and a resent batch
 * (sequence number not above the stored one) writes nothing.
 *
 * <p>Blocking JDBC: call it from a worker thread, never from an event loop.
 */
public final class BatchStore {
    private static final String LOCK_AGENTS =
            "SELECT agent_id, last_seq, host FROM agents WHERE agent_id = ANY (?)" + " ORDER BY agent_id FOR UPDATE";
    private static final String CREATE_AGENT = "INSERT INTO agents (agent_id) VALUES (?) ON CONFLICT DO NOTHING";
    private static final String ADVANCE_AGENT = "UPDATE agents SET last_seq = ?, last_seen = now() WHERE agent_id = ?";
    /** An agent whose records were restamped (see ClockBound): operators find it in redwatch_agents. */
    private static final String NOTE_CLOCK = "UPDATE agents SET clock_skew_ms = ?,"
            + " clock_adjusted_records = clock_adjusted_records + ? WHERE agent_id = ?";

    private static final String REGISTER_AGENT = "INSERT INTO agents (agent_id, host, version, interval_ms, last_seen)"
            + " VALUES (?, ?, ?, ?, now()) ON CONFLICT (agent_id) DO UPDATE SET host = EXCLUDED.host,"
            + " version = EXCLUDED.version, interval_ms = EXCLUDED.interval_ms, last_seen = now() RETURNING last_seq";

    private final DataSource dataSource;
    private final InfoWritePlanner infoHistory = new InfoWritePlanner();
    private final InstanceIds instanceIds = new InstanceIds();
    private final InfoBucketCloser infoBuckets;

    public BatchStore(DataSource dataSource) {
        this.dataSource = dataSource;
        this.infoBuckets = new InfoBucketCloser(dataSource);
    }

    /** The highest sequence number stored for this agent, 0 when none. */
    public long lastStoredSeq(String agentId) {
        agentId = PgText.of(agentId);
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT last_seq FROM agents WHERE agent_id = ?")) {
            ps.setString(1, agentId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw new StorageException(
                    "cannot read the last stored batch of agent " + agentId + ": " + e.getMessage(), e);
        }
    }

    /**
     * Records an agent's hello and returns the highest sequence number stored for it (0 when none),
     * in one statement: after a collector restart every agent says hello at once. The agent may have
     * been served by another collector since its last batch here, so what this collector remembers
     * about its instances' INFO is dropped.
     */
    public long registerAgent(String rawAgentId, String rawHost, String rawVersion, int intervalMs) {
        String agentId = PgText.of(rawAgentId);
        String host = PgText.of(rawHost);
        String version = PgText.of(rawVersion);
        try (Connection c = dataSource.getConnection()) {
            // A hello lost to a database crash costs nothing: the row is made again by the agent's next
            // hello or batch, and nothing acknowledged depends on it.
            long lastSeq = UnflushedCommit.run(c, tx -> {
                try (PreparedStatement ps = tx.prepareStatement(REGISTER_AGENT)) {
                    ps.setString(1, agentId);
                    ps.setString(2, host);
                    ps.setString(3, version);
                    ps.setInt(4, intervalMs);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                }
            });
            if (infoHistory.remembered() > 0) {
                try (PreparedStatement ps = c.prepareStatement("SELECT instance FROM instances WHERE agent_id = ?")) {
                    ps.setString(1, agentId);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            infoHistory.forget(rs.getString(1));
                        }
                    }
                }
            }
            return lastSeq;
        } catch (SQLException e) {
            throw new StorageException(
                    "cannot register agent " + agentId + " (host " + host + "): " + e.getMessage(), e);
        }
    }

    /** Stores the batch unless it was stored before; see the class comment. */
    public StoreResult store(String agentId, Batch batch) {
        return store(agentId, BatchFacts.of(batch));
    }

    /** Stores a batch that ingest has already read ({@link BatchFacts}), in a transaction of its own. */
    public StoreResult store(String agentId, BatchFacts facts) {
        return storeTogether(List.of(new GroupedBatch(agentId, null, facts, 0, 0)))
                .get(0)
                .resultOrThrow();
    }

    /**
     * One agent's batch in a group: as ingest read it, and how many of its records ingest restamped
     * for a clock out of bounds (with the skew seen), noted on the agent's row in the same transaction.
     *
     * @param agentHost the host the agent named in its hello, or null to use the one stored for it
     */
    public record GroupedBatch(String agentId, String agentHost, BatchFacts facts, long clockSkewMs, int restamped) {
        public GroupedBatch {
            agentId = PgText.of(agentId);
        }

        String what() {
            return "batch " + Long.toUnsignedString(facts.batch().getSeq()) + " of agent " + agentId;
        }
    }

    /** What became of one batch of a group: stored (or a resend of one stored before), or refused for its number. */
    public record GroupOutcome(StoreResult result, SequenceRefused refused) {
        public StoreResult resultOrThrow() {
            if (refused != null) throw refused;
            return result;
        }
    }

    /**
     * Stores many agents' batches in one transaction (group commit): one WAL flush and one multi-row
     * statement per table for the whole group. Each batch is judged by {@link SequenceRule} on its own,
     * so a resend or a refused number does not affect the others; any other failure rolls back the
     * whole group and is thrown. Returns one outcome per batch, in order.
     */
    public List<GroupOutcome> storeTogether(List<GroupedBatch> group) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                List<GroupOutcome> outcomes = storeInTransaction(c, group);
                c.setAutoCommit(autoCommit);
                return outcomes;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                c.setAutoCommit(autoCommit);
                throw e;
            }
        } catch (SQLException e) {
            String what = group.size() == 1
                    ? group.get(0).what() + " ("
                            + group.get(0).facts().records().size() + " records)"
                    : group.size() + " batches of "
                            + group.stream()
                                    .map(GroupedBatch::agentId)
                                    .distinct()
                                    .count() + " agents";
            throw new StorageException(
                    "cannot store " + what + "; not acknowledged, the agent keeps it and resends it: " + describe(e),
                    e);
        }
    }

    /** The INFO buckets this store's commits ended, to be packed off the commit path. */
    public InfoBucketCloser infoBuckets() {
        return infoBuckets;
    }

    private List<GroupOutcome> storeInTransaction(Connection c, List<GroupedBatch> group) throws SQLException {
        Map<String, AgentRow> agents = lockAgents(c, group);
        GroupOutcome[] outcomes = new GroupOutcome[group.size()];
        int[] rows = new int[group.size()];
        Map<String, Long> advanced = new TreeMap<>();
        InfoWritePlanner.Plan infoPlan = infoHistory.plan();
        InstanceIds.Lookup ids = instanceIds.lookup(c);
        Map<Integer, Long> infoRecords;
        try (BatchRows batchRows = new BatchRows(c, infoPlan, ids)) {
            for (int i = 0; i < group.size(); i++) {
                GroupedBatch g = group.get(i);
                Batch batch = g.facts().batch();
                AgentRow agent = agents.get(g.agentId());
                // the same agent may come twice in one group (a stream replaced while its batch waited)
                long lastSeq = advanced.getOrDefault(g.agentId(), agent.lastSeq());
                SequenceRule.Verdict verdict = SequenceRule.judge(lastSeq, batch.getSeq());
                if (verdict == SequenceRule.Verdict.DUPLICATE) {
                    outcomes[i] = new GroupOutcome(new StoreResult(true, 0), null);
                    continue;
                }
                if (verdict != SequenceRule.Verdict.STORE) {
                    outcomes[i] = new GroupOutcome(
                            null, new SequenceRefused(SequenceRule.reason(verdict, lastSeq, batch.getSeq())));
                    continue;
                }
                batchRows.begin(i, g.agentId(), g.agentHost() != null ? g.agentHost() : agent.host(), batch.getSeq());
                for (int r = 0; r < batch.getRecordsCount(); r++) {
                    batchRows.add(g.facts(), r);
                }
                advanced.put(g.agentId(), batch.getSeq());
            }
            batchRows.flush(rows);
            infoRecords = batchRows.recordsWritten();
        }
        advanceAgents(c, group, advanced);
        c.commit();
        infoPlan.publish();
        ids.publish();
        infoBuckets.written(infoRecords);
        List<GroupOutcome> result = new ArrayList<>(group.size());
        for (int i = 0; i < outcomes.length; i++) {
            result.add(outcomes[i] != null ? outcomes[i] : new GroupOutcome(new StoreResult(false, rows[i]), null));
        }
        return result;
    }

    private static void advanceAgents(Connection c, List<GroupedBatch> group, Map<String, Long> advanced)
            throws SQLException {
        if (advanced.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement(ADVANCE_AGENT)) {
            for (Map.Entry<String, Long> e : advanced.entrySet()) {
                ps.setLong(1, e.getValue());
                ps.setString(2, e.getKey());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement(NOTE_CLOCK)) {
            boolean any = false;
            for (GroupedBatch g : group) {
                if (g.restamped() == 0 || !advanced.containsKey(g.agentId())) continue;
                ps.setLong(1, g.clockSkewMs());
                ps.setLong(2, g.restamped());
                ps.setString(3, g.agentId());
                ps.addBatch();
                any = true;
            }
            if (any) ps.executeBatch();
        }
    }

    private record AgentRow(long lastSeq, String host) {}

    /** Locks the group's agents' rows in id order (so concurrent groups never deadlock), creating missing ones. */
    private static Map<String, AgentRow> lockAgents(Connection c, List<GroupedBatch> group) throws SQLException {
        TreeSet<String> wanted = new TreeSet<>();
        for (GroupedBatch g : group) wanted.add(g.agentId());
        Map<String, AgentRow> rows = new HashMap<>();
        for (int attempt = 0; attempt < 2 && rows.size() < wanted.size(); attempt++) {
            try (PreparedStatement ps = c.prepareStatement(LOCK_AGENTS)) {
                ps.setArray(1, c.createArrayOf("text", wanted.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) rows.put(rs.getString(1), new AgentRow(rs.getLong(2), rs.getString(3)));
                }
            }
            if (rows.size() == wanted.size()) break;
            try (PreparedStatement ps = c.prepareStatement(CREATE_AGENT)) {
                for (String id : wanted) {
                    if (rows.containsKey(id)) continue;
                    ps.setString(1, id);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        if (rows.size() < wanted.size()) {
            throw new StorageException("agent rows vanished while storing their batches: " + wanted);
        }
        return rows;
    }

    /** executeBatch hides the server's reason behind getNextException. */
    private static String describe(SQLException e) {
        List<String> messages = new ArrayList<>();
        for (SQLException x = e; x != null && messages.size() < 3; x = x.getNextException()) {
            messages.add(x.getMessage());
        }
        return String.join("; ", messages);
    }

    /** For tests and metrics: how many instances' INFO state is remembered. */
    int rememberedInstances() {
        return infoHistory.remembered();
    }
}
