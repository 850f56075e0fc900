package io.redwatch.agent;

import io.redwatch.agent.cli.ArgsParser;
import io.redwatch.agent.cli.CommandSpec;
import io.redwatch.agent.cli.HelpText;
import io.redwatch.agent.cli.OptionSpec;
import io.redwatch.agent.cli.ParsedArgs;
import io.redwatch.agent.cli.UsageException;
import io.redwatch.agent.config.AgentConfig;
import io.redwatch.agent.config.AgentConfigLoader;
import io.redwatch.agent.shipping.Shipper;
import io.redwatch.common.config.ConfigException;
import io.redwatch.common.config.Durations;
import io.redwatch.common.logging.OneLineLogging;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/** {@code redwatch-agent run | snapshot}. Exit codes: 0 ok, 1 failure, 2 bad usage or input. */
public final class AgentMain {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

    static final CommandSpec RUN = new CommandSpec(
            "redwatch-agent run",
            List.of("Run the agent until stopped (SIGTERM)."),
            List.of(
                    OptionSpec.value("--config", "config", "agent.yaml"),
                    OptionSpec.value(
                            "--collector", "collector", "collector gRPC address host:port (default 127.0.0.1:7400)"),
                    OptionSpec.value(
                            "--redis",
                            "redis",
                            "watch this Redis instead of the config's list, e.g. redis://127.0.0.1:6379"),
                    OptionSpec.value("--log-file", "logFile", "redis.log of the instance given by --redis"),
                    OptionSpec.value("--interval", "interval", "sampling interval, e.g. 1s or 10s (default 10s)"),
                    OptionSpec.value(
                            "--state-dir",
                            "stateDir",
                            "where log positions are kept (default /var/lib/redwatch-agent)"),
                    OptionSpec.value(
                            "--agent-id",
                            "agentId",
                            "this agent's id (default: <host name>-<8 hex digits of a hash of /etc/machine-id>)")),
            List.of());
    static final CommandSpec ROOT = new CommandSpec(
            "redwatch-agent",
            List.of("Watches Redis servers on this host and streams what it sees to a redwatch collector."),
            List.of(),
            List.of(RUN, SnapshotCommand.SPEC));

    private AgentMain() {}

    public static void main(String[] args) {
        OneLineLogging.install("io.netty", "io.lettuce", "io.grpc", "reactor");
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; what it prints goes to {@code out} and {@code err}; returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        try {
            return dispatch(ArgsParser.parse(ROOT, Arrays.asList(args)), out, err);
        } catch (UsageException e) {
            err.println(e.getMessage());
            err.print(HelpText.render(e.command()));
            return EXIT_USAGE;
        } catch (ConfigException e) {
            err.println("redwatch-agent: bad configuration: " + e.getMessage());
            return EXIT_USAGE;
        } catch (InputException e) {
            err.println("redwatch-agent: " + e.getMessage());
            return EXIT_USAGE;
        } catch (IOException | RuntimeException e) {
            // Not the user's doing: the whole trace, for a bug report.
            err.print("redwatch-agent: failed: ");
            e.printStackTrace(err);
            return EXIT_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EXIT_FAILURE;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static int dispatch(ParsedArgs args, PrintWriter out, PrintWriter err)
            throws IOException, InterruptedException {
        if (args.help()) {
            out.print(HelpText.render(args.command()));
            return EXIT_OK;
        }
        if (args.version()) {
            out.println("redwatch-agent " + version());
            return EXIT_OK;
        }
        if (args.command() == RUN) return run(args);
        if (args.command() == SnapshotCommand.SPEC) return new SnapshotCommand(args).call(out, err);
        throw new UsageException(ROOT, "missing command: run or snapshot");
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

    /** Usage or input the user must fix (exit 2), as opposed to a failure while running (exit 1). */
    static final class InputException extends RuntimeException {
        InputException(String message) {
            super(message);
        }
    }

    private static int run(ParsedArgs args) throws InterruptedException {
        String redis = args.value("--redis");
        if (args.value("--config") == null && redis == null) {
            throw new ConfigException("give --config agent.yaml, or at least --redis redis://host:port");
        }
        String interval = args.value("--interval");
        Duration every = interval == null ? null : Durations.parse(interval, "--interval");
        AgentConfig cfg = AgentConfigLoader.load(
                args.path("--config"),
                new AgentConfigLoader.Overrides(
                        args.value("--collector"),
                        redis,
                        args.path("--log-file"),
                        every,
                        args.path("--state-dir"),
                        args.value("--agent-id")),
                hostname());
        CountDownLatch stopped = new CountDownLatch(1);
        Agent agent = new Agent(cfg, version(), Shipper.Settings.defaults());
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            Logger.getLogger(AgentMain.class.getName()).info("stopping: signal received");
                            agent.close();
                            stopped.countDown();
                        },
                        "redwatch-shutdown"));
        agent.start();
        stopped.await();
        return EXIT_OK;
    }
}
