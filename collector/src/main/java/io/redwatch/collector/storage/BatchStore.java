package io.redwatch.collector.storage;

import io.redwatch.collector.facts.BatchFacts;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.Record;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Stores agents' batches exactly once. Each {@link #store} runs in one transaction that locks the
 * agent's row, so a batch is either stored whole with its sequence number or not at all, and a
 * resent batch (sequence number not above the stored one) writes nothing.
 *
 * <p>Blocking JDBC: call it from a worker thread, never from an event loop.
 */
public final class BatchStore {
    private static final String LOCK_AGENT = "SELECT last_seq, host FROM agents WHERE agent_id = ? FOR UPDATE";
    private static final String CREATE_AGENT = "INSERT INTO agents (agent_id) VALUES (?) ON CONFLICT DO NOTHING";
    private static final String ADVANCE_AGENT = "UPDATE agents SET last_seq = ?, last_seen = now() WHERE agent_id = ?";
    private static final String REGISTER_AGENT = "INSERT INTO agents (agent_id, host, version, interval_ms, last_seen)"
            + " VALUES (?, ?, ?, ?, now()) ON CONFLICT (agent_id) DO UPDATE SET host = EXCLUDED.host,"
            + " version = EXCLUDED.version, interval_ms = EXCLUDED.interval_ms, last_seen = now()";

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
     * Records an agent's hello. The agent may have been served by another collector since its
     * last batch here, so what this collector remembers about its instances' INFO is dropped.
     */
    public void registerAgent(String agentId, String host, String version, int intervalMs) {
        agentId = PgText.of(agentId);
        host = PgText.of(host);
        version = PgText.of(version);
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(REGISTER_AGENT)) {
                ps.setString(1, agentId);
                ps.setString(2, host);
                ps.setString(3, version);
                ps.setInt(4, intervalMs);
                ps.executeUpdate();
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
    }

    /** Stores the batch unless it was stored before; see the class comment. */
    public StoreResult store(String agentId, Batch batch) {
        return store(agentId, BatchFacts.of(batch));
    }

    /** Stores a batch that ingest has already read ({@link BatchFacts}). */
    public StoreResult store(String agentId, BatchFacts facts) {
        Batch batch = facts.batch();
        agentId = PgText.of(agentId);
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                StoreResult result = storeInTransaction(c, agentId, facts);
                c.setAutoCommit(autoCommit);
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                c.setAutoCommit(autoCommit);
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException("cannot store batch " + batch.getSeq() + " of agent " + agentId
                    + " (" + batch.getRecordsCount() + " records); it was not acknowledged and will be resent: "
                    + describe(e), e);
        }
    }

    private StoreResult storeInTransaction(Connection c, String agentId, BatchFacts facts) throws SQLException {
        Batch batch = facts.batch();
        AgentRow agent = lockAgent(c, agentId);
        if (batch.getSeq() <= agent.lastSeq()) {
            c.rollback();
            return new StoreResult(true, 0);
        }
        InfoHistory.Plan infoPlan = infoHistory.plan();
        InstanceIds.Lookup ids = instanceIds.lookup(c);
        int rows;
        try (BatchRows batchRows = new BatchRows(c, agentId, agent.host(), batch.getSeq(), infoPlan, ids)) {
            for (int i = 0; i < batch.getRecordsCount(); i++) {
                batchRows.add(facts, i);
            }
            rows = batchRows.flush();
        }
        try (PreparedStatement ps = c.prepareStatement(ADVANCE_AGENT)) {
            ps.setLong(1, batch.getSeq());
            ps.setString(2, agentId);
            ps.executeUpdate();
        }
        c.commit();
        infoPlan.publish();
        ids.publish();
        return new StoreResult(false, rows);
    }

    private record AgentRow(long lastSeq, String host) {
    }

    private static AgentRow lockAgent(Connection c, String agentId) throws SQLException {
        for (int attempt = 0; attempt < 2; attempt++) {
            try (PreparedStatement ps = c.prepareStatement(LOCK_AGENT)) {
                ps.setString(1, agentId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new AgentRow(rs.getLong(1), rs.getString(2));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(CREATE_AGENT)) {
                ps.setString(1, agentId);
                ps.executeUpdate();
            }
        }
        throw new StorageException("agent row " + agentId + " vanished while storing its batch");
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
