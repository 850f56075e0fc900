package io.redwatch.collector.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Flags an agent whose records were restamped (see ClockBound): operators find it in redwatch_agents. */
public final class AgentClock {
    private static final String NOTE = "UPDATE agents SET clock_skew_ms = ?,"
            + " clock_adjusted_records = clock_adjusted_records + ? WHERE agent_id = ?";
    private final DataSource dataSource;

    public AgentClock(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void note(String agentId, long skewMs, int restamped) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(NOTE)) {
            ps.setLong(1, skewMs);
            ps.setLong(2, restamped);
            ps.setString(3, PgText.of(agentId));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StorageException("cannot flag the clock of agent " + agentId + ": " + e.getMessage()
                    + "; the batch was not acknowledged and will be resent", e);
        }
    }
}
