package io.redwatch.collector.config;

import io.redwatch.collector.alerting.AlertingConfig;
import io.redwatch.collector.rules.Thresholds;
import io.redwatch.common.config.ConfigException;
import io.redwatch.common.config.Secret;
import io.redwatch.common.config.YamlNode;
import java.nio.file.Path;
import java.util.Set;

/** The collector's settings, validated. Flags given on the command line replace the file's values. */
public record CollectorConfig(
        String bind,
        int grpcPort,
        int httpPort,
        String dbUrl,
        String dbUser,
        Secret dbPassword,
        int dbPoolSize,
        int retentionDays,
        AlertingConfig alerting,
        Thresholds thresholds,
        SecurityConfig security,
        int connectionsPerAddress) {

    public static final String DEFAULT_DB_URL = "jdbc:postgresql://127.0.0.1:5432/redwatch";
    public static final int DEFAULT_GRPC_PORT = 7400;
    public static final int DEFAULT_HTTP_PORT = 7401;

    private static final Set<String> TOP_KEYS = Set.of(
            "bind",
            "grpc_port",
            "http_port",
            "database",
            "retention_days",
            "alerting",
            "rules",
            "tls",
            "auth",
            "http",
            "insecure",
            "connections_per_address");
    /** Agents on their own hosts hold one connection each; a NAT-ing TCP load balancer makes them one address. */
    public static final int DEFAULT_CONNECTIONS_PER_ADDRESS = 1024;

    private static final Set<String> DB_KEYS = Set.of("url", "user", "password_file", "password_env", "pool_size");

    /** The same settings with only the given ports and database changed (tests, several collectors on one host). */
    public CollectorConfig withEndpoints(int grpcPort, int httpPort, String dbUrl) {
        return new CollectorConfig(
                bind,
                grpcPort,
                httpPort,
                dbUrl,
                dbUser,
                dbPassword,
                dbPoolSize,
                retentionDays,
                alerting,
                thresholds,
                security,
                connectionsPerAddress);
    }

    /** The same settings with other security (tests). */
    public CollectorConfig withSecurity(SecurityConfig security) {
        return new CollectorConfig(
                bind,
                grpcPort,
                httpPort,
                dbUrl,
                dbUser,
                dbPassword,
                dbPoolSize,
                retentionDays,
                alerting,
                thresholds,
                security,
                connectionsPerAddress);
    }

    /** Whether {@link #bind()} is a loopback address (127.0.0.0/8, ::1, localhost); only those may run without TLS and tokens. */
    public static boolean isLoopback(String bind) {
        try {
            return java.net.InetAddress.getByName(bind).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            throw new ConfigException("bind: cannot resolve '" + bind + "' to an address of this host");
        }
    }

    /** Command-line values; null means "not given". */
    public record Overrides(
            String bind,
            Integer grpcPort,
            Integer httpPort,
            String dbUrl,
            String dbUser,
            Path dbPasswordFile,
            Boolean insecure) {
        public Overrides(
                String bind, Integer grpcPort, Integer httpPort, String dbUrl, String dbUser, Path dbPasswordFile) {
            this(bind, grpcPort, httpPort, dbUrl, dbUser, dbPasswordFile, null);
        }

        public static Overrides none() {
            return new Overrides(null, null, null, null, null, null, null);
        }
    }

    public static CollectorConfig load(Path file, Overrides flags) {
        YamlNode root = file == null ? null : YamlNode.load(file, new SnakeYamlParser());
        if (root != null) root.allowOnly(TOP_KEYS);
        YamlNode db = root == null ? null : root.child("database");
        if (db != null) db.allowOnly(DB_KEYS);

        Secret password = Secret.none();
        if (flags.dbPasswordFile() != null) {
            password = Secret.fromFile(flags.dbPasswordFile(), "--db-password-file");
        } else if (db != null && db.has("password_file")) {
            password = Secret.fromFile(Path.of(db.string("password_file", "")), "database.password_file");
        } else if (db != null && db.has("password_env")) {
            password = Secret.fromEnv(db.string("password_env", ""), "database.password_env");
        }
        String bind =
                flags.bind() != null ? flags.bind() : root == null ? "127.0.0.1" : root.string("bind", "127.0.0.1");
        CollectorConfig c = new CollectorConfig(
                bind,
                flags.grpcPort() != null
                        ? flags.grpcPort()
                        : root == null ? DEFAULT_GRPC_PORT : root.integer("grpc_port", DEFAULT_GRPC_PORT),
                flags.httpPort() != null
                        ? flags.httpPort()
                        : root == null ? DEFAULT_HTTP_PORT : root.integer("http_port", DEFAULT_HTTP_PORT),
                flags.dbUrl() != null ? flags.dbUrl() : db == null ? DEFAULT_DB_URL : db.string("url", DEFAULT_DB_URL),
                flags.dbUser() != null ? flags.dbUser() : db == null ? "redwatch" : db.string("user", "redwatch"),
                password,
                db == null ? 4 : db.integer("pool_size", 4),
                root == null ? 30 : root.integer("retention_days", 30),
                root != null && root.has("alerting")
                        ? AlertingConfigReader.from(root.child("alerting"))
                        : AlertingConfig.none(),
                root != null && root.has("rules") ? ThresholdsConfig.from(root.child("rules")) : Thresholds.defaults(),
                SecurityConfig.from(root, file, isLoopback(bind), flags.insecure()),
                root == null
                        ? DEFAULT_CONNECTIONS_PER_ADDRESS
                        : root.integer("connections_per_address", DEFAULT_CONNECTIONS_PER_ADDRESS));
        return c.validate();
    }

    public CollectorConfig validate() {
        checkPort(grpcPort, "grpc_port");
        checkPort(httpPort, "http_port");
        if (grpcPort == httpPort && grpcPort != 0)
            throw new ConfigException("grpc_port and http_port must differ, both are " + grpcPort);
        if (!dbUrl.startsWith("jdbc:postgresql://")) {
            throw new ConfigException(
                    "database.url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:5432/redwatch), got '" + dbUrl
                            + "'");
        }
        if (dbPoolSize < 1) throw new ConfigException("database.pool_size must be positive, got " + dbPoolSize);
        if (retentionDays < 1) throw new ConfigException("retention_days must be at least 1, got " + retentionDays);
        if (connectionsPerAddress < 1) {
            throw new ConfigException("connections_per_address must be at least 1, got " + connectionsPerAddress
                    + " (behind a TCP load balancer that hides the agents' addresses, more than the number of agents)");
        }
        return this;
    }

    private static void checkPort(int port, String key) {
        if (port < 0 || port > 65535) throw new ConfigException(key + " " + port + " is out of range 0-65535");
    }
}
