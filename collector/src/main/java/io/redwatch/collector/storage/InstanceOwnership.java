package io.redwatch.collector.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * Which agent owns an instance or a host ({@code name_owners}). The first agent whose records name
 * it binds it; after that only that agent's records for it are stored, until an operator moves the
 * binding ({@code redwatch-collector instance move}). Bindings are cached, so a batch whose names
 * are all cached costs no query. A move is seen through {@link #readChanges}, one query for every
 * binding made or moved lately, which the collector runs every {@link #CHANGES_POLL_MS}: so the new
 * owner is let in, and the former one refused, within that. Reading each cached binding again on a
 * timer instead cost a fleet of 10,000 agents 700 queries a second.
 */
public final class InstanceOwnership {
    /** How often the collector reads the bindings made or moved since the last time. */
    public static final long CHANGES_POLL_MS = 5_000;
    /**
     * A cached binding is read again after 5 to 10 minutes even if no change was seen: a backstop for
     * a row deleted by hand, which {@link #readChanges} cannot see. Spread, so that a fleet whose
     * names were all cached in its first minute is not read again all at once.
     */
    static final long CACHE_MS = 10 * 60_000;

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
    /**
     * Looks back a minute before the last poll: a move is stamped with its transaction's start, which
     * may come before a poll that ran while it was still uncommitted.
     */
    private static final String CHANGED =
            "SELECT kind, name, agent_id FROM name_owners WHERE bound_at > ?::timestamptz - interval '60 seconds'";

    private static final int MAX_CACHED = 200_000;

    private record Owner(String agentId, long expiresMs) {
        static Owner of(String agentId, long nowMs) {
            return new Owner(
                    agentId, nowMs + CACHE_MS / 2 + ThreadLocalRandom.current().nextLong(CACHE_MS / 2));
        }
    }

    private final DataSource dataSource;
    private final ConcurrentHashMap<String, Owner> cache = new ConcurrentHashMap<>();
    /** The database's time at the last {@link #readChanges}; null before the first (which looks back from now). */
    private volatile java.sql.Timestamp lastPoll;

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
            if (o == null || now > o.expiresMs()) {
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
                cache.put(e.getKey().key(), Owner.of(e.getValue(), now));
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
        // A claim lost to a database crash is lost with nothing that depends on it: the batch's records
        // commit later, in a transaction that flushes the WAL up to them. A fleet's first batches claim
        // thousands of names at once.
        try (Connection c = dataSource.getConnection()) {
            UnflushedCommit.run(c, tx -> {
                try (PreparedStatement ps = tx.prepareStatement(CLAIM)) {
                    ps.setString(1, PgText.of(agentId));
                    ps.setArray(2, tx.createArrayOf("text", kinds));
                    ps.setArray(3, tx.createArrayOf("text", values));
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = tx.prepareStatement(READ)) {
                    ps.setArray(1, tx.createArrayOf("text", kinds));
                    ps.setArray(2, tx.createArrayOf("text", values));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            owners.put(new Name(kind(rs.getString(1)), rs.getString(2)), rs.getString(3));
                        }
                    }
                }
                return null;
            });
        } catch (SQLException e) {
            throw new StorageException(
                    "cannot read which agents own " + names.size() + " instances/hosts: " + e.getMessage()
                            + "; the batch was not acknowledged and will be resent",
                    e);
        }
        return owners;
    }

    /**
     * Reads the bindings made or moved since the last call (on any collector sharing the database)
     * into the cache, for the names it holds; returns how many cached bindings changed owner.
     */
    public int readChanges() {
        int changed = 0;
        try (Connection c = dataSource.getConnection()) {
            java.sql.Timestamp now;
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT statement_timestamp()")) {
                rs.next();
                now = rs.getTimestamp(1);
            }
            long loadedMs = System.currentTimeMillis();
            try (PreparedStatement ps = c.prepareStatement(CHANGED)) {
                ps.setTimestamp(1, lastPoll != null ? lastPoll : now);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String key = new Name(kind(rs.getString(1)), rs.getString(2)).key();
                        String agentId = rs.getString(3);
                        Owner was = cache.get(key);
                        if (was == null) continue; // a name this collector has not seen: nothing to correct
                        cache.put(key, Owner.of(agentId, loadedMs));
                        if (!agentId.equals(was.agentId())) changed++;
                    }
                }
            }
            lastPoll = now;
        } catch (SQLException e) {
            throw new StorageException(
                    "cannot read which instances were moved to another agent: " + e.getMessage()
                            + "; cached owners stay as they were until the next try",
                    e);
        }
        return changed;
    }

    private static Kind kind(String sql) {
        return "host".equals(sql) ? Kind.HOST : Kind.INSTANCE;
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
