package io.redwatch.collector.alerting;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Function;
import javax.sql.DataSource;

/** Runs work in one database transaction: committed when it returns, rolled back when it throws. */
final class Transaction {
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private Transaction() {}

    /**
     * @param failure turns a database error into the exception the caller's operator reads
     */
    static <T> T run(DataSource db, Work<T> work, Function<SQLException, AlertingException> failure) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw failure.apply(e);
        }
    }
}
