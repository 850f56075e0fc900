package io.redwatch.collector.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.redwatch.collector.config.CollectorConfig;
import io.redwatch.collector.ingest.WireNames;
import io.redwatch.collector.security.AgentIds;
import io.redwatch.collector.storage.Database;
import io.redwatch.collector.storage.InstanceOwnership;
import io.redwatch.collector.storage.StorageException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code redwatch-collector instance move}: gives an instance (or a host) to another agent. The first
 * agent that sends records of an instance owns it; records of any other agent for it are refused
 * until an operator moves it here (a Redis moved to another host, an agent renamed).
 */
@Command(
        name = "instance",
        mixinStandardHelpOptions = true,
        description = "Which agent may write an instance's data.",
        subcommands = {InstanceCommand.Move.class})
public final class InstanceCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: instance move");
    }

    @Command(
            name = "move",
            mixinStandardHelpOptions = true,
            description =
                    "Bind an instance (host:port) or a host to another agent; running collectors follow within 30 s.")
    static final class Move extends DatabaseOptions implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--instance", description = "the instance, as stored (host:port, e.g. db1:6379)")
        String instance;

        @Option(names = "--host", description = "a host name, for its host facts")
        String host;

        @Option(names = "--agent-id", required = true, description = "the agent that owns it from now on")
        String agentId;

        @Override
        public Integer call() {
            if ((instance == null) == (host == null)) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "give exactly one of --instance or --host");
            }
            String name = instance != null ? instance : host;
            String problem = WireNames.problem(instance != null ? "--instance" : "--host", name);
            if (problem == null) problem = AgentIds.problem(agentId);
            if (problem != null) throw new CommandLine.ParameterException(spec.commandLine(), problem);
            InstanceOwnership.Kind kind =
                    instance != null ? InstanceOwnership.Kind.INSTANCE : InstanceOwnership.Kind.HOST;
            CollectorConfig cfg = databaseConfig();
            String previous;
            try (HikariDataSource db = Database.open(
                            cfg.dbUrl(), cfg.dbUser(), cfg.dbPassword().reveal(), 2);
                    Connection c = db.getConnection()) {
                previous = InstanceOwnership.move(c, kind, name, agentId);
            } catch (SQLException e) {
                throw new StorageException("cannot move " + name + " to agent " + agentId + ": " + e.getMessage(), e);
            }
            String what = (instance != null ? "instance " : "host ") + name;
            spec.commandLine()
                    .getOut()
                    .println(what + ": owned by agent " + agentId
                            + (previous == null
                                    ? " (it had no owner)"
                                    : previous.equals(agentId) ? " (unchanged)" : " (was " + previous + ")")
                            + "; running collectors follow within 30 s.");
            return ExitCodes.OK;
        }
    }
}
