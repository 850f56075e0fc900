package io.redwatch.collector.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The migrated schema stays distributable by instance under Citus (README, "Scale"), checked in the
 * catalog of a freshly migrated database:
 * <ol>
 * <li>every large table (each partitioned table, and the unpartitioned per-instance series
 *     {@link #UNPARTITIONED_SERIES}) has a NOT NULL instance key: {@code instance_id},
 *     {@code instance}, or {@code host} for host facts;</li>
 * <li>every primary key and unique index of a large table includes that key;</li>
 * <li>no foreign key has a large table at either end.</li>
 * </ol>
 * A new partitioned table is checked without being listed here.
 */
class CitusRulesIT {
    /** Per-instance tables that are not partitioned (small per instance, but one row set per instance). */
    private static final Set<String> UNPARTITIONED_SERIES = Set.of("info_minutes", "log_line_keys");
    /** The distribution column, by preference. */
    private static final List<String> KEYS = List.of("instance_id", "instance", "host");

    private static TestDatabase db;

    @BeforeAll
    static void open() {
        db = TestDatabase.create(CitusRulesIT.class);
    }

    @AfterAll
    static void drop() {
        db.close();
    }

    @Test
    void theMigratedSchemaKeepsEveryLargeTableDistributableByInstance() throws SQLException {
        try (Connection c = db.dataSource.getConnection()) {
            List<String> large = largeTables(c, "public");
            assertTrue(
                    large.containsAll(List.of(
                            "info_samples",
                            "info_buckets",
                            "info_errors",
                            "pings",
                            "log_events",
                            "host_facts",
                            "process_facts",
                            "config_snapshots",
                            "info_minutes",
                            "log_line_keys")),
                    "large tables: " + large);
            assertEquals(List.of(), violations(c, "public"));
        }
    }

    @Test
    void theCheckCatchesEachKindOfViolation() throws SQLException {
        try (Connection c = db.dataSource.getConnection();
                Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS citus_probe CASCADE");
            st.execute("CREATE SCHEMA citus_probe");
            try {
                st.execute("CREATE TABLE citus_probe.no_key (ts timestamptz NOT NULL, v int) PARTITION BY RANGE (ts)");
                st.execute(
                        "CREATE TABLE citus_probe.narrow_pk (instance text NOT NULL, id bigint, ts timestamptz NOT NULL,"
                                + " PRIMARY KEY (id, ts)) PARTITION BY RANGE (ts)");
                st.execute("CREATE TABLE citus_probe.samples (instance text NOT NULL, ts timestamptz NOT NULL,"
                        + " PRIMARY KEY (instance, ts)) PARTITION BY RANGE (ts)");
                st.execute(
                        "CREATE TABLE citus_probe.notes (instance text NOT NULL, ts timestamptz NOT NULL,"
                                + " FOREIGN KEY (instance, ts) REFERENCES citus_probe.samples (instance, ts)) PARTITION BY RANGE (ts)");
                List<String> found = violations(c, "citus_probe");
                assertEquals(
                        List.of(
                                "citus_probe.narrow_pk: unique index narrow_pk_pkey (id, ts) lacks instance",
                                "citus_probe.no_key: no instance key (instance_id, instance or host, NOT NULL)",
                                "citus_probe.notes -> citus_probe.samples: foreign key between large tables"),
                        found);
            } finally {
                st.execute("DROP SCHEMA citus_probe CASCADE");
            }
        }
    }

    /** Partitioned tables (not partitions) and the listed unpartitioned series, by name. */
    private static List<String> largeTables(Connection c, String schema) throws SQLException {
        return strings(
                c,
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE n.nspname = ? AND NOT c.relispartition AND (c.relkind = 'p' OR (c.relkind = 'r' AND c.relname = ANY (?)))"
                        + " ORDER BY 1",
                schema,
                UNPARTITIONED_SERIES.toArray(String[]::new));
    }

    private static List<String> violations(Connection c, String schema) throws SQLException {
        List<String> out = new ArrayList<>();
        List<String> large = largeTables(c, schema);
        for (String table : large) {
            String qualified = schema + "." + table;
            List<String> keyColumns = strings(
                    c,
                    "SELECT attname FROM pg_attribute WHERE attrelid = ?::regclass"
                            + " AND attnotnull AND NOT attisdropped AND attnum > 0 AND attname = ANY (?)",
                    qualified,
                    KEYS.toArray(String[]::new));
            String key = KEYS.stream().filter(keyColumns::contains).findFirst().orElse(null);
            if (key == null) {
                out.add(qualified + ": no instance key (instance_id, instance or host, NOT NULL)");
                continue;
            }
            for (String index : strings(
                    c,
                    "SELECT i.indexrelid::regclass::text || ' (' || string_agg(a.attname, ', '"
                            + " ORDER BY array_position(i.indkey::int2[], a.attnum)) || ')' FROM pg_index i"
                            + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)"
                            + " WHERE i.indrelid = ?::regclass AND (i.indisunique OR i.indisprimary)"
                            + " GROUP BY i.indexrelid HAVING NOT bool_or(a.attname = ?) ORDER BY 1",
                    qualified,
                    key)) {
                out.add(qualified + ": unique index " + index.replace(schema + ".", "") + " lacks " + key);
            }
        }
        for (String fk : strings(
                c,
                "SELECT f.conrelid::regclass::text || ' -> ' || f.confrelid::regclass::text"
                        + " FROM pg_constraint f JOIN pg_class s ON s.oid = f.conrelid JOIN pg_class t ON t.oid = f.confrelid"
                        + " JOIN pg_namespace n ON n.oid = s.relnamespace WHERE f.contype = 'f' AND n.nspname = ?"
                        + " AND f.conparentid = 0 AND (s.relname = ANY (?) OR t.relname = ANY (?)) ORDER BY 1",
                schema,
                large.toArray(String[]::new),
                large.toArray(String[]::new))) {
            out.add(fk + ": foreign key between large tables");
        }
        out.sort(null);
        return out;
    }

    private static List<String> strings(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                if (args[i] instanceof String[] a) ps.setArray(i + 1, c.createArrayOf("text", a));
                else ps.setObject(i + 1, args[i]);
            }
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
            return out;
        }
    }
}
