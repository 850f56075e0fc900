package io.redwatch.collector.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** A database of its own for one test class on the local PostgreSQL, dropped afterwards. */
public final class FreshDatabase implements AutoCloseable {
    public static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    public static final String USER = "postgres";
    private final String name;

    private FreshDatabase(String name) {
        this.name = name;
    }

    public static FreshDatabase create(String prefix) {
        String name = prefix.toLowerCase().replaceAll("[^a-z0-9_]", "_") + "_"
                + UUID.randomUUID().toString().substring(0, 8);
        admin("CREATE DATABASE " + name);
        return new FreshDatabase(name);
    }

    /** A name for a database that does not exist yet (for code that must create it). */
    public static FreshDatabase reserve(String prefix) {
        return new FreshDatabase(prefix.toLowerCase().replaceAll("[^a-z0-9_]", "_") + "_"
                + UUID.randomUUID().toString().substring(0, 8));
    }

    public String url() {
        return SERVER + name;
    }

    public String name() {
        return name;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), USER, "");
    }

    private static void admin(String sql) {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", USER, "");
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "PostgreSQL at 127.0.0.1:5432 (user postgres) is needed for this test: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
}
