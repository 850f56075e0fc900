package io.redwatch.collector.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The integer id of each instance ("host:port"), from the instance_ids table. An id never changes,
 * so it is cached for good, but only once the transaction that read or created it has committed:
 * an id created by a batch that rolled back does not exist.
 */
final class InstanceIds {
    private static final String CREATE =
            "INSERT INTO instance_ids (instance) VALUES (?)" + " ON CONFLICT (instance) DO NOTHING RETURNING id";
    private static final String READ = "SELECT id FROM instance_ids WHERE instance = ?";

    private final ConcurrentHashMap<String, Integer> known = new ConcurrentHashMap<>();

    /** Starts the lookups of one transaction. */
    Lookup lookup(Connection connection) {
        return new Lookup(connection);
    }

    final class Lookup {
        private final Connection connection;
        private final Map<String, Integer> found = new HashMap<>();

        private Lookup(Connection connection) {
            this.connection = connection;
        }

        int id(String instance) throws SQLException {
            Integer id = known.get(instance);
            if (id == null) {
                id = found.get(instance);
            }
            if (id == null) {
                id = query(CREATE, instance);
                if (id == null) {
                    id = query(READ, instance);
                }
                if (id == null) {
                    throw new StorageException("instance " + instance + " has no id although it was just created;"
                            + " was instance_ids changed by hand?");
                }
                found.put(instance, id);
            }
            return id;
        }

        /** Remembers this transaction's ids; call after commit. */
        void publish() {
            known.putAll(found);
        }

        private Integer query(String sql, String instance) throws SQLException {
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                ps.setString(1, instance);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getInt(1) : null;
                }
            }
        }
    }
}
