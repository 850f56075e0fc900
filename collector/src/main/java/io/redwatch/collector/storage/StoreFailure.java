package io.redwatch.collector.storage;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Why a batch was not stored, and whether storing it again can succeed. Permanent means the batch
 * itself cannot be stored (a value PostgreSQL refuses, a record the collector cannot read): resending
 * it fails the same way. Everything else (the database away, a deadlock, a timeout, a schema that does
 * not match) is transient: the batch is not acknowledged, and the agent resends it.
 */
public record StoreFailure(RuntimeException cause, boolean permanent) {

    public static StoreFailure of(RuntimeException cause) {
        return new StoreFailure(cause, isPermanent(cause));
    }

    /** True when the database could not be reached at all: storing the next batch would fail too. */
    public boolean connectionLost() {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) return true;
            if (t instanceof SQLException e && e.getSQLState() != null
                    && (e.getSQLState().startsWith("08") || e.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isPermanent(RuntimeException cause) {
        boolean sql = false;
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SQLException e) {
                sql = true;
                for (SQLException x = e; x != null; x = x.getNextException()) {
                    String state = x.getSQLState();
                    // 22: data exception (a value out of range, bad encoding); 23: a constraint the
                    // batch breaks; 54: a program limit (a row too large). The batch's fault, every time.
                    if (state != null && (state.startsWith("22") || state.startsWith("23") || state.startsWith("54"))) {
                        return true;
                    }
                }
            }
        }
        // No SQL error at all: the batch could not be turned into rows (a record with no kind or no
        // instance), which no retry changes.
        return !sql;
    }
}
