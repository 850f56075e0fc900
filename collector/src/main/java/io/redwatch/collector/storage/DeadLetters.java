package io.redwatch.collector.storage;

import io.redwatch.proto.v1.Batch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import javax.sql.DataSource;

/**
 * Batches PostgreSQL refused for a reason no retry can fix, kept whole in {@code dead_letters}
 * with the reason and acknowledged: retrying such a batch forever stalls its agent (every later
 * batch waits behind it) while nothing ever changes. Whether a failure is such a one is decided
 * by {@link #permanentCause}: only the SQLState classes of bad data, never a lost connection.
 */
public final class DeadLetters {
    private static final String INSERT = "INSERT INTO dead_letters (agent_id, seq, sql_state, reason, records, batch)"
            + " VALUES (?, ?, ?, ?, ?, ?)";
    // The batch counts as handled: a resend is a duplicate, and the next batch follows it.
    private static final String ADVANCE = "UPDATE agents SET last_seq = ?, last_seen = now() WHERE agent_id = ?";
    private static final String LOCK_AGENT = "SELECT last_seq FROM agents WHERE agent_id = ? FOR UPDATE";
    private static final int MAX_REASON = 2000;

    private final DataSource dataSource;

    public DeadLetters(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * The SQLState of a failure retrying cannot fix, or null for one it may (connection lost, pool
     * exhausted, deadlock, serialization failure, shutdown, out of disk): those are never
     * dead-lettered, the agent keeps the batch and resends it.
     */
    public static String permanentCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientException) return null;
            if (t instanceof SQLException e) {
                for (SQLException x = e; x != null; x = x.getNextException()) {
                    String state = x.getSQLState();
                    if (state == null || state.length() < 2) continue;
                    switch (state.substring(0, 2)) {
                        // 22 data exception (a value out of range, bad encoding), 23 integrity
                        // constraint, 54 program limit (an index row too large), 2200x/22P0x included.
                        case "22", "23", "54" -> {
                            return state;
                        }
                        default -> {}
                    }
                }
                return null;
            }
        }
        return null;
    }

    /**
     * Keeps the batch with why it was refused, and moves the agent past it, in one transaction; the
     * batch's number obeys {@link SequenceRule} like any other (else {@link SequenceRefused}). Returns
     * false when the batch had been handled before (a resend): nothing is kept twice.
     */
    public boolean put(String agentId, Batch batch, String sqlState, String reason) {
        agentId = PgText.of(agentId);
        String why = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason;
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                long lastStored = 0;
                try (PreparedStatement ps = c.prepareStatement(LOCK_AGENT)) {
                    ps.setString(1, agentId);
                    try (java.sql.ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) lastStored = rs.getLong(1);
                    }
                }
                SequenceRule.Verdict verdict = SequenceRule.judge(lastStored, batch.getSeq());
                if (verdict == SequenceRule.Verdict.DUPLICATE) {
                    c.rollback();
                    return false;
                }
                if (verdict != SequenceRule.Verdict.STORE) {
                    throw new SequenceRefused(SequenceRule.reason(verdict, lastStored, batch.getSeq()));
                }
                try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                    ps.setString(1, agentId);
                    ps.setLong(2, batch.getSeq());
                    ps.setString(3, sqlState);
                    ps.setString(4, PgText.of(why));
                    ps.setInt(5, batch.getRecordsCount());
                    ps.setBytes(6, batch.toByteArray());
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement(ADVANCE)) {
                    ps.setLong(1, batch.getSeq());
                    ps.setString(2, agentId);
                    ps.executeUpdate();
                }
                c.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new StorageException(
                    "cannot keep refused batch " + batch.getSeq() + " of agent " + agentId + " in dead_letters: "
                            + e.getMessage() + "; it was not acknowledged and will be resent",
                    e);
        }
    }
}
