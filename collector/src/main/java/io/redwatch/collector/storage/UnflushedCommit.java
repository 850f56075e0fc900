package io.redwatch.collector.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One transaction that commits without waiting for the WAL flush ({@code synchronous_commit off}),
 * for writes a database crash may lose at no cost: hellos, owner claims, "heard" marks. They come in
 * thousands at once after a restart, and a flush each would queue them behind the disk. Anything
 * acknowledged to an agent commits later with a flush, which covers them too.
 */
public final class UnflushedCommit {
    /** The statements of the transaction. */
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private UnflushedCommit() {}

    /** Runs {@code work} on {@code c} in one transaction, rolled back if it throws. */
    public static <T> T run(Connection c, Work<T> work) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL synchronous_commit TO off");
            }
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }
}
