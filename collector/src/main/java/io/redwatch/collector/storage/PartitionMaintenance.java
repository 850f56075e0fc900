package io.redwatch.collector.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Creates the daily partitions ahead of time and drops those past retention, via the SQL
 * functions of the schema (so an operator can run the same from psql). Run it daily; running it
 * more often is harmless.
 */
public final class PartitionMaintenance {
    private static final Logger LOG = Logger.getLogger(PartitionMaintenance.class.getName());
    public static final int DEFAULT_RETENTION_DAYS = 30;

    private final DataSource dataSource;

    public PartitionMaintenance(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Creates the partitions of today (UTC) and the next {@code daysAhead} days; returns how many were new. */
    public int ensurePartitions(int daysAhead) {
        if (daysAhead < 0) {
            throw new IllegalArgumentException("daysAhead must be 0 or more, got " + daysAhead);
        }
        int created = call("SELECT redwatch_ensure_partitions(?)", daysAhead, "create partitions");
        if (created > 0) {
            LOG.info(() -> "created " + created + " daily partitions (" + daysAhead + " days ahead)");
        }
        return created;
    }

    /**
     * Drops the daily partitions older than {@code days} days (UTC) and deletes older rows, and rows
     * more than a day ahead, from the DEFAULT partitions; returns how many partitions were dropped.
     */
    public int applyRetention(int days) {
        if (days < 1) {
            throw new IllegalArgumentException("retention must be at least 1 day, got " + days);
        }
        int dropped = call("SELECT redwatch_apply_retention(?)", days, "apply retention");
        // Rows stamped far ahead (written before clocks were bounded) sit in the DEFAULT partitions,
        // which are never dropped; a day ahead is more than any bounded clock can reach.
        int future = call("SELECT redwatch_delete_future_defaults(make_interval(days => ?))", 1, "delete future rows");
        if (future > 0) {
            LOG.warning(
                    () -> "deleted " + future + " rows stamped more than a day ahead of now from the DEFAULT partitions"
                            + " (written by an agent with a wrong clock before clocks were bounded)");
        }
        if (dropped > 0) {
            LOG.info(() -> "dropped " + dropped + " partitions older than " + days + " days");
        }
        return dropped;
    }

    private int call(String sql, int argument, String what) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, argument);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new StorageException(
                    "cannot " + what + ": " + e.getMessage() + "; it is retried at the next maintenance run", e);
        }
    }
}
