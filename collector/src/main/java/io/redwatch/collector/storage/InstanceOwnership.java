package io.redwatch.collector.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Which agent owns an instance or a host ({@code name_owners}). The first agent whose records name
 * it binds it; after that only that agent's records for it are stored, until an operator moves the
 * binding ({@code redwatch-collector instance move}). Bindings are cached, so a batch whose names
 * are all cached costs no query: after a move, the new owner is let in within
 * {@link #FOREIGN_CACHE_MS} and the former owner is refused within {@link #CACHE_MS}.
 */
public final class InstanceOwnership {
    public static final long CACHE_MS = 30_000;
    /** Another agent's binding is read again sooner: after a move, the new owner waits at most this. */
    public static final long FOREIGN_CACHE_MS = 5_000;

    public enum Kind {
        INSTANCE("instance"),
        HOST("host");
        final String sql;

        Kind(String sql) {
            this.sql = sql;
        }
    }

    private static final String CLAIM = "INSERT INTO name_owners (kind, name, agent_id)"
            + " SELECT k, n, ? FROM unnest(?::text[], ?::text[]) u(k, n) ON CONFLICT DO NOTHING";
    private static final String READ = "SELECT o.kind, o.name, o.agent_id FROM name_owners o"
            + " JOIN unnest(?::text[], ?::text[]) u(k, n) ON o.kind = u.k AND o.name = u.n";
    private static final int MAX_CACHED = 200_000;

    private record Owner(String agentId, long loadedMs) {}

    private final DataSource dataSource;
    private final ConcurrentHashMap<String, Owner> cache = new ConcurrentHashMap<>();

    public InstanceOwnership(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A name a batch speaks of. */
    public record Name(Kind kind, String name) {
        public String key() {
            return kind.sql + '\0' + name;
        }
    }

    /**
     * Binds the names nobody owns yet to {@code agentId}; returns the owner of each name this agent
     * does not own (empty: the agent owns them all).
     */
    public Map<Name, String> foreignOwners(String agentId, List<Name> names) {
        long now = System.currentTimeMillis();
        Map<Name, String> foreign = null;
        List<Name> unknown = null;
        for (Name n : names) {
            Owner o = cache.get(n.key());
            if (o == null || now - o.loadedMs() > (o.agentId().equals(agentId) ? CACHE_MS : FOREIGN_CACHE_MS)) {
                if (unknown == null) unknown = new ArrayList<>();
                unknown.add(n);
            } else if (!o.agentId().equals(agentId)) {
                if (foreign == null) foreign = new HashMap<>();
                foreign.put(n, o.agentId());
            }
        }
        if (unknown != null) {
            for (Map.Entry<Name, String> e : claim(agentId, unknown).entrySet()) {
                if (cache.size() >= MAX_CACHED) cache.clear();
                cache.put(e.getKey().key(), new Owner(e.getValue(), now));
                if (!e.getValue().equals(agentId)) {
                    if (foreign == null) foreign = new HashMap<>();
                    foreign.put(e.getKey(), e.getValue());
                }
            }
        }
        return foreign == null ? Map.of() : foreign;
    }

    private Map<Name, String> claim(String agentId, List<Name> names) {
        String[] kinds = new String[names.size()];
        String[] values = new String[names.size()];
        for (int i = 0; i < kinds.length; i++) {
            kinds[i] = names.get(i).kind().sql;
            values[i] = PgText.of(names.get(i).name());
        }
        Map<Name, String> owners = new HashMap<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(CLAIM)) {
                ps.setString(1, PgText.of(agentId));
                ps.setArray(2, c.createArrayOf("text", kinds));
                ps.setArray(3, c.createArrayOf("text", values));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(READ)) {
                ps.setArray(1, c.createArrayOf("text", kinds));
                ps.setArray(2, c.createArrayOf("text", values));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Kind k = "host".equals(rs.getString(1)) ? Kind.HOST : Kind.INSTANCE;
                        owners.put(new Name(k, rs.getString(2)), rs.getString(3));
                    }
                }
            }
        } catch (SQLException e) {
            throw new StorageException(
                    "cannot read which agents own " + names.size() + " instances/hosts: " + e.getMessage()
                            + "; the batch was not acknowledged and will be resent",
                    e);
        }
        return owners;
    }

    /** Binds {@code name} to {@code agentId} (the operator's move); returns the previous owner, or null. */
    public static String move(Connection c, Kind kind, String name, String agentId) throws SQLException {
        String previous = null;
        try (PreparedStatement ps =
                c.prepareStatement("SELECT agent_id FROM name_owners WHERE kind = ? AND name = ?")) {
            ps.setString(1, kind.sql);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) previous = rs.getString(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO name_owners (kind, name, agent_id) VALUES (?, ?, ?)"
                + " ON CONFLICT (kind, name) DO UPDATE SET agent_id = EXCLUDED.agent_id, bound_at = now()")) {
            ps.setString(1, kind.sql);
            ps.setString(2, name);
            ps.setString(3, agentId);
            ps.executeUpdate();
        }
        if (kind == Kind.INSTANCE) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE instances SET agent_id = ? WHERE instance = ?")) {
                ps.setString(1, agentId);
                ps.setString(2, name);
                ps.executeUpdate();
            }
        }
        return previous;
    }
}
