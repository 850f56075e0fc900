package io.redwatch.collector.storage;

import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.Record;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * Stores agents' batches exactly once. Each {@link #store} (one batch) or {@link #storeTogether}
 * (many agents' batches, group commit) runs in one transaction that locks the agents' rows, so a
 * batch is either stored whole with its sequence number or not at all, and a resent batch
 * (sequence number not above the stored one) writes nothing.
 *
 * <p>Blocking JDBC: call it from a worker thread, never from an event loop.
 */
public final class BatchStore {
    private static final String LOCK_AGENTS = "SELECT agent_id, last_seq, host FROM agents WHERE agent_id = ANY (?)"
            + " ORDER BY agent_id FOR UPDATE";
    private static final String CREATE_AGENT = "INSERT INTO agents (agent_id) VALUES (?) ON CONFLICT DO NOTHING";
    private static final String ADVANCE_AGENT = "UPDATE agents SET last_seq = ?, last_seen = now() WHERE agent_id = ?";
    private static final String REGISTER_AGENT = "INSERT INTO agents (agent_id, host, version, interval_ms, last_seen)"
            + " VALUES (?, ?, ?, ?, now()) ON CONFLICT (agent_id) DO UPDATE SET host = EXCLUDED.host,"
            + " version = EXCLUDED.version, interval_ms = EXCLUDED.interval_ms, last_seen = now() RETURNING last_seq";

    private final DataSource dataSource;
    private final InfoHistory infoHistory = new InfoHistory();
    private final InstanceIds instanceIds = new InstanceIds();

    public BatchStore(DataSource dataSource) {
        this.dataSource = dataSource;
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
            throw new StorageException("cannot read the last stored batch of agent " + agentId + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Records an agent's hello and returns the highest sequence number stored for it (0 when none),
     * in one statement: a reconnect storm is thousands of hellos. The agent may have been served by
     * another collector since its last batch here, so what this collector remembers about its
     * instances' INFO is dropped.
     */
    public long registerAgent(String agentId, String host, String version, int intervalMs) {
        agentId = PgText.of(agentId);
        host = PgText.of(host);
        version = PgText.of(version);
        long lastSeq;
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(REGISTER_AGENT)) {
                ps.setString(1, agentId);
                ps.setString(2, host);
                ps.setString(3, version);
                ps.setInt(4, intervalMs);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    lastSeq = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT instance FROM instances WHERE agent_id = ?")) {
                ps.setString(1, agentId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        infoHistory.forget(rs.getString(1));
                    }
                }
            }
        } catch (SQLException e) {
            throw new StorageException("cannot register agent " + agentId + " (host " + host + "): "
                    + e.getMessage(), e);
        }
        return lastSeq;
    }

    /** Stores the batch unless it was stored before; see the class comment. */
    public StoreResult store(String agentId, Batch batch) {
        return storeTogether(List.of(new AgentBatch(agentId, batch))).get(0);
    }

    /** One agent's batch, as handed to {@link #storeTogether}. */
    public record AgentBatch(String agentId, Batch batch) {
    }

    /**
     * Stores several agents' batches in one transaction (group commit): all of them or none. Each
     * batch whose sequence number is not above its agent's stored one (or an earlier batch's of the
     * same agent in this group) is a duplicate and writes nothing. Returns one result per batch, in
     * order. On failure nothing is stored; the caller may then store the batches one by one to find
     * the one that fails.
     */
    public List<StoreResult> storeTogether(List<AgentBatch> batches) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                List<StoreResult> results = storeInTransaction(c, batches);
                c.setAutoCommit(autoCommit);
                return results;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                c.setAutoCommit(autoCommit);
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException(what(batches) + " could not be stored; not acknowledged, will be resent: "
                    + describe(e), e);
        }
    }

    private static String what(List<AgentBatch> batches) {
        if (batches.size() == 1) {
            AgentBatch b = batches.get(0);
            return "batch " + b.batch().getSeq() + " of agent " + PgText.of(b.agentId())
                    + " (" + b.batch().getRecordsCount() + " records)";
        }
        return "a group of " + batches.size() + " batches";
    }

    private List<StoreResult> storeInTransaction(Connection c, List<AgentBatch> batches) throws SQLException {
        Map<String, AgentRow> agents = lockAgents(c, batches);
        // the highest sequence number stored per agent, this group's included
        Map<String, Long> stored = new TreeMap<>();
        agents.forEach((id, row) -> stored.put(id, row.lastSeq()));
        StoreResult[] results = new StoreResult[batches.size()];
        int[] begun = new int[batches.size()];
        InfoHistory.Plan infoPlan = infoHistory.plan();
        InstanceIds.Lookup ids = instanceIds.lookup(c);
        int next = 0;
        try (BatchRows batchRows = new BatchRows(c, infoPlan, ids)) {
            for (int i = 0; i < batches.size(); i++) {
                String agentId = PgText.of(batches.get(i).agentId());
                Batch batch = batches.get(i).batch();
                if (batch.getSeq() <= stored.get(agentId)) {
                    results[i] = new StoreResult(true, 0);
                    continue;
                }
                stored.put(agentId, batch.getSeq());
                batchRows.begin(agentId, agents.get(agentId).host(), batch.getSeq());
                begun[i] = next++;
                for (Record r : batch.getRecordsList()) {
                    batchRows.add(r);
                }
            }
            if (next == 0) {
                c.rollback();
                return List.of(results);
            }
            batchRows.flush();
            for (int i = 0; i < results.length; i++) {
                if (results[i] == null) results[i] = new StoreResult(false, batchRows.rowsOf(begun[i]));
            }
        }
        try (PreparedStatement ps = c.prepareStatement(ADVANCE_AGENT)) {
            for (Map.Entry<String, Long> e : stored.entrySet()) {
                if (e.getValue() == agents.get(e.getKey()).lastSeq()) continue;
                ps.setLong(1, e.getValue());
                ps.setString(2, e.getKey());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        c.commit();
        infoPlan.publish();
        ids.publish();
        return List.of(results);
    }

    private record AgentRow(long lastSeq, String host) {
    }

    /**
     * Locks the rows of the group's agents, creating missing ones. Rows are locked in agent id
     * order, so two collectors committing overlapping groups wait for each other instead of deadlocking.
     */
    private static Map<String, AgentRow> lockAgents(Connection c, List<AgentBatch> batches) throws SQLException {
        SortedSet<String> wanted = new TreeSet<>();
        for (AgentBatch b : batches) wanted.add(PgText.of(b.agentId()));
        Map<String, AgentRow> rows = new HashMap<>();
        for (int attempt = 0; attempt < 2; attempt++) {
            try (PreparedStatement ps = c.prepareStatement(LOCK_AGENTS)) {
                ps.setArray(1, c.createArrayOf("text", wanted.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.put(rs.getString(1), new AgentRow(rs.getLong(2), rs.getString(3)));
                    }
                }
            }
            wanted.removeAll(rows.keySet());
            if (wanted.isEmpty()) return rows;
            try (PreparedStatement ps = c.prepareStatement(CREATE_AGENT)) {
                for (String agentId : wanted) {
                    ps.setString(1, agentId);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        throw new StorageException("agent rows " + wanted + " vanished while storing their batches");
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
