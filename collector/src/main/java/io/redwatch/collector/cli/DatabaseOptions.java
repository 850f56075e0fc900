package io.redwatch.collector.cli;

import io.redwatch.collector.config.CollectorConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Options shared by commands that reach the database. It lives apart from {@code CollectorMain} so
 * that the commands can use it without depending on the class that lists them.
 */
public class DatabaseOptions {
    @Option(names = "--config", description = "collector.yaml")
    protected Path config;

    @Option(names = "--db-url", description = "default jdbc:postgresql://127.0.0.1:5432/redwatch (created if missing)")
    protected String dbUrl;

    @Option(names = "--db-user", description = "default redwatch")
    protected String dbUser;

    @Option(names = "--db-password-file", description = "file holding the database password")
    protected Path dbPasswordFile;

    /** The config's database settings; the listening settings do not matter to a command that only reaches the database. */
    protected CollectorConfig databaseConfig() {
        return CollectorConfig.load(
                config, new CollectorConfig.Overrides(null, null, null, dbUrl, dbUser, dbPasswordFile));
    }
}
