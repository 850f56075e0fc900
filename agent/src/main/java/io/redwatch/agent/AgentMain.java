package io.redwatch.agent;

import io.redwatch.agent.config.AgentConfig;
import io.redwatch.agent.config.AgentConfigLoader;
import io.redwatch.agent.shipping.Shipper;
import io.redwatch.common.config.ConfigException;
import io.redwatch.common.config.Durations;
import io.redwatch.common.logging.OneLineLogging;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code redwatch-agent run | snapshot}. Exit codes: 0 ok, 1 failure, 2 bad usage or input. */
@Command(name = "redwatch-agent", mixinStandardHelpOptions = true, versionProvider = AgentMain.Version.class,
        description = "Watches Redis servers on this host and streams what it sees to a redwatch collector.",
        subcommands = {AgentMain.Run.class, SnapshotCommand.class})
public final class AgentMain implements Runnable {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        OneLineLogging.install("io.netty", "io.lettuce", "io.grpc", "reactor");
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new AgentMain());
        withHelp(cl);
        // A mapper is asked for parse errors too (unknown option, missing value): those are usage errors, exit 2.
        cl.setExitCodeExceptionMapper(e -> e instanceof ConfigException || e instanceof CommandLine.ParameterException
                ? EXIT_USAGE : EXIT_FAILURE);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigException) {
                cmd.getErr().println("redwatch-agent: bad configuration: " + e.getMessage());
                return EXIT_USAGE;
            }
            if (e instanceof InputException) {
                cmd.getErr().println("redwatch-agent: " + e.getMessage());
                return EXIT_USAGE;
            }
            throw e;
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
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: run or snapshot");
    }

    static String version() {
        String v = AgentMain.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    static String hostname() {
        String env = System.getenv("HOSTNAME");
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return env == null || env.isBlank() ? "localhost" : env;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"redwatch-agent " + version()};
        }
    }

    /** Usage or input the user must fix (exit 2), as opposed to a failure while running (exit 1). */
    static final class InputException extends RuntimeException {
        InputException(String message) {
            super(message);
        }
    }

    @Command(name = "run", description = "Run the agent until stopped (SIGTERM).")
    static final class Run implements Callable<Integer> {
        @Option(names = "--config", description = "agent.yaml")
        Path config;
        @Option(names = "--collector", description = "collector gRPC address host:port (default 127.0.0.1:7400)")
        String collector;
        @Option(names = "--redis", description = "watch this Redis instead of the config's list, e.g. redis://127.0.0.1:6379")
        String redis;
        @Option(names = "--log-file", description = "redis.log of the instance given by --redis")
        Path logFile;
        @Option(names = "--interval", description = "sampling interval, e.g. 1s or 10s (default 10s)")
        String interval;
        @Option(names = "--state-dir", description = "where log positions are kept (default /var/lib/redwatch-agent)")
        Path stateDir;
        @Option(names = "--agent-id", description = "this agent's id (default: <host name>-<8 hex digits of a hash of /etc/machine-id>)")
        String agentId;

        @Override
        public Integer call() throws InterruptedException {
            if (config == null && redis == null) {
                throw new ConfigException("give --config agent.yaml, or at least --redis redis://host:port");
            }
            Duration every = interval == null ? null : Durations.parse(interval, "--interval");
            AgentConfig cfg = AgentConfigLoader.load(config,
                    new AgentConfigLoader.Overrides(collector, redis, logFile, every, stateDir, agentId), hostname());
            CountDownLatch stopped = new CountDownLatch(1);
            Agent agent = new Agent(cfg, version(), Shipper.Settings.defaults());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                Logger.getLogger(AgentMain.class.getName()).info("stopping: signal received");
                agent.close();
                stopped.countDown();
            }, "redwatch-shutdown"));
            agent.start();
            stopped.await();
            return EXIT_OK;
        }
    }

    static PrintWriter out(CommandLine.Model.CommandSpec spec) {
        return spec.commandLine().getOut();
    }
}
