package io.redwatch.collector.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Opens the collector's PostgreSQL database: creates it when missing, applies the Flyway schema
 * and hands out a HikariCP pool.
 */
public final class Database {
    private static final Logger LOG = Logger.getLogger(Database.class.getName());
    static final long CONNECTION_TIMEOUT_MS = 5_000;
    private static final String SQL_STATE_INVALID_CATALOG = "3D000";
    private static final String SQL_STATE_INSUFFICIENT_PRIVILEGE = "42501";

    private Database() {}

    /**
     * Creates the database named in {@code jdbcUrl} if it does not exist, migrates it and returns
     * a pool. The caller closes the returned data source.
     */
    public static HikariDataSource open(String jdbcUrl, String user, String password, int maxPoolSize) {
        createDatabaseIfMissing(jdbcUrl, user, password);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(withBatchRewrite(jdbcUrl));
        config.setUsername(user);
        config.setPassword(password);
        // Flyway holds one connection for its lock while it migrates on another: with a pool of one,
        // `migrate` (and a collector configured with pool_size: 1) waited 30 s and failed.
        config.setMaximumPoolSize(Math.max(2, maxPoolSize));
        // Hikari's default waits 30 s for a connection: in a database outage every batch then holds
        // a worker for 30 s before the agent hears "not stored, resend". 5 s is plenty on a healthy
        // pool (each batch is one short transaction) and fails fast when the database is gone.
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        config.setPoolName("redwatch-db");
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            migrate(dataSource);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return dataSource;
    }

    public static HikariDataSource open(String jdbcUrl, String user, String password) {
        return open(jdbcUrl, user, password, 8);
    }

    /** Applies every pending migration from classpath:db/migration; returns how many ran. */
    public static int migrate(DataSource dataSource) {
        Flyway flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load();
        MigrateResult result = flyway.migrate();
        LOG.info(() -> "database schema at version " + flyway.info().current().getVersion() + " ("
                + result.migrationsExecuted + " migrations applied now)");
        return result.migrationsExecuted;
    }

    /** Adds reWriteBatchedInserts=true so executeBatch sends multi-row INSERTs. */
    static String withBatchRewrite(String jdbcUrl) {
        if (jdbcUrl.contains("reWriteBatchedInserts")) {
            return jdbcUrl;
        }
        return jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
    }

    static void createDatabaseIfMissing(String jdbcUrl, String user, String password) {
        JdbcUrl url = JdbcUrl.parse(jdbcUrl);
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        try (Connection ignored = DriverManager.getConnection(jdbcUrl, props)) {
            return;
        } catch (SQLException e) {
            if (!SQL_STATE_INVALID_CATALOG.equals(e.getSQLState())) {
                throw new StorageException(
                        "cannot connect to " + url.withoutQuery() + ": " + e.getMessage()
                                + "; check the collector's database url, user and password",
                        e);
            }
        }
        String adminUrl = url.withDatabase("postgres");
        try (Connection admin = DriverManager.getConnection(adminUrl, props)) {
            if (!exists(admin, url.database())) {
                try (Statement st = admin.createStatement()) {
                    st.execute("CREATE DATABASE " + quoteIdentifier(url.database()));
                }
                LOG.info(() -> "created database " + url.database());
            }
        } catch (SQLException e) {
            String hint = SQL_STATE_INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())
                    ? "; user " + user + " may not create databases: create it as an administrator"
                            + " (CREATE DATABASE " + quoteIdentifier(url.database()) + " OWNER " + user + ")"
                            + " or grant CREATEDB"
                    : "; create it by hand or check that the server is reachable";
            throw new StorageException(
                    "database " + url.database() + " does not exist and could not be created via " + adminUrl + ": "
                            + e.getMessage() + hint,
                    e);
        }
    }

    private static boolean exists(Connection admin, String database) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static String quoteIdentifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** The parts of a jdbc:postgresql:// URL this class needs. */
    record JdbcUrl(String prefix, String database, String query) {
        static JdbcUrl parse(String jdbcUrl) {
            String start = "jdbc:postgresql://";
            if (!jdbcUrl.startsWith(start)) {
                throw new StorageException("database url must start with " + start + ", got " + jdbcUrl);
            }
            int slash = jdbcUrl.indexOf('/', start.length());
            if (slash < 0) {
                throw new StorageException("database url names no database: " + jdbcUrl
                        + " (expected jdbc:postgresql://host:port/database)");
            }
            int q = jdbcUrl.indexOf('?', slash);
            String db = q < 0 ? jdbcUrl.substring(slash + 1) : jdbcUrl.substring(slash + 1, q);
            if (db.isEmpty()) {
                throw new StorageException("database url names no database: " + jdbcUrl);
            }
            return new JdbcUrl(jdbcUrl.substring(0, slash + 1), db, q < 0 ? "" : jdbcUrl.substring(q));
        }

        String withDatabase(String other) {
            return prefix + other + query;
        }

        String withoutQuery() {
            return prefix + database;
        }
    }
}
