package io.redwatch.collector;

import com.zaxxer.hikari.HikariDataSource;
import io.redwatch.collector.cli.DatabaseOptions;
import io.redwatch.collector.cli.ExitCodes;
import io.redwatch.collector.config.CollectorConfig;
import io.redwatch.collector.storage.Database;
import io.redwatch.common.config.ConfigException;
import io.redwatch.common.logging.OneLineLogging;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code redwatch-collector run | migrate}. Exit codes: 0 ok, 1 failure, 2 bad usage or input. */
@Command(
        name = "redwatch-collector",
        mixinStandardHelpOptions = true,
        versionProvider = CollectorMain.Version.class,
        description = "Receives what redwatch agents see, stores it in PostgreSQL and diagnoses incidents.",
        subcommands = {
            CollectorMain.Run.class,
            CollectorMain.Migrate.class,
            io.redwatch.collector.doctor.DoctorCommand.class,
            io.redwatch.collector.cli.TokenCommand.class,
            io.redwatch.collector.cli.InstanceCommand.class
        })
public final class CollectorMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        OneLineLogging.install("io.netty", "io.lettuce", "io.grpc", "io.vertx", "com.zaxxer.hikari", "org.flywaydb");
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new CollectorMain());
        withHelp(cl);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigException) {
                cmd.getErr().println("redwatch-collector: bad configuration: " + e.getMessage());
                return ExitCodes.USAGE;
            }
            cmd.getErr().println("redwatch-collector: " + e.getMessage());
            Logger.getLogger(CollectorMain.class.getName()).log(java.util.logging.Level.FINE, "failure", e);
            return ExitCodes.FAILURE;
        });
        return cl;
    }

    /** --help (and --version) on every command and subcommand, not only the top one. */
    static void withHelp(CommandLine cl) {
        if (!cl.getCommandSpec().mixinStandardHelpOptions()) cl.getCommandSpec().mixinStandardHelpOptions(true);
        for (CommandLine sub : cl.getSubcommands().values()) withHelp(sub);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new CommandLine.ParameterException(
                spec.commandLine(), "missing command: run, migrate, doctor, token or instance");
    }

    static String version() {
        String v = CollectorMain.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"redwatch-collector " + version()};
        }
    }

    @Command(name = "run", description = "Run the collector until stopped (SIGTERM).")
    static final class Run extends DatabaseOptions implements Callable<Integer> {
        @Option(names = "--grpc-port", description = "port agents connect to (default 7400)")
        Integer grpcPort;

        @Option(names = "--http-port", description = "port of /health, /metrics and the API (default 7401)")
        Integer httpPort;

        @Option(
                names = "--bind",
                description =
                        "address to listen on (default 127.0.0.1); any other address needs tls, auth and http.api_token_file in the config, or --insecure")
        String bind;

        @Option(
                names = "--insecure",
                description = "listen on a non-loopback --bind without TLS or tokens (a loud warning is logged)")
        Boolean insecure;

        @Override
        public Integer call() throws InterruptedException {
            CollectorConfig cfg = CollectorConfig.load(
                    config,
                    new CollectorConfig.Overrides(bind, grpcPort, httpPort, dbUrl, dbUser, dbPasswordFile, insecure));
            Collector collector = new Collector(cfg);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                Logger.getLogger(CollectorMain.class.getName()).info("stopping: signal received");
                                collector.close();
                                stopped.countDown();
                            },
                            "redwatch-shutdown"));
            collector.start();
            stopped.await();
            return ExitCodes.OK;
        }
    }

    @Command(name = "migrate", description = "Create the database if missing and apply the schema, then exit.")
    static final class Migrate extends DatabaseOptions implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CollectorConfig cfg = CollectorConfig.load(
                    config, new CollectorConfig.Overrides(null, null, null, dbUrl, dbUser, dbPasswordFile));
            // open() creates the database if missing and migrates; it logs how many migrations it applied.
            try (HikariDataSource db =
                    Database.open(cfg.dbUrl(), cfg.dbUser(), cfg.dbPassword().reveal(), 1)) {
                spec.commandLine()
                        .getOut()
                        .println("redwatch-collector: the schema of " + cfg.dbUrl() + " is up to date");
            }
            return ExitCodes.OK;
        }
    }
}
