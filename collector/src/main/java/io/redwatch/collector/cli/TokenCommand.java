package io.redwatch.collector.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.redwatch.collector.config.CollectorConfig;
import io.redwatch.collector.security.AgentIds;
import io.redwatch.collector.security.AgentTokens;
import io.redwatch.collector.storage.Database;
import io.redwatch.common.config.ConfigException;
import io.redwatch.common.config.Durations;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code redwatch-collector token create|revoke|list}: the per-agent tokens agents present in their
 * hello. A new token is printed once, on stdout alone so it can be piped into a file; only its hash is kept.
 */
@Command(
        name = "token",
        description = "Create, revoke and list the tokens agents connect with.",
        subcommands = {TokenCommand.Create.class, TokenCommand.Revoke.class, TokenCommand.ListTokens.class})
public final class TokenCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: token create, revoke or list");
    }

    abstract static class TokenOptions extends DatabaseOptions {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        <T> T withTokens(java.util.function.Function<AgentTokens, T> work) {
            CollectorConfig cfg = databaseConfig();
            // Two connections: Flyway holds one for its lock while it checks the schema with another.
            try (HikariDataSource db =
                    Database.open(cfg.dbUrl(), cfg.dbUser(), cfg.dbPassword().reveal(), 2)) {
                return work.apply(new AgentTokens(db));
            }
        }

        void checkAgentId(String agentId) {
            String problem = AgentIds.problem(agentId);
            if (problem != null) throw new CommandLine.ParameterException(spec.commandLine(), "--agent-id: " + problem);
        }
    }

    @Command(
            name = "create",
            description =
                    "Create a token for an agent and print it once (store it in the agent's collector.token_file).")
    static final class Create extends TokenOptions implements Callable<Integer> {
        @Option(
                names = "--agent-id",
                required = true,
                description =
                        "the agent's agent_id (the agent logs it at start; by default <host name>-<8 hex digits from /etc/machine-id>)")
        String agentId;

        @Option(names = "--expires-in", description = "e.g. 90d or 12h (default: never)")
        String expiresIn;

        @Override
        public Integer call() {
            checkAgentId(agentId);
            Duration validFor;
            try {
                validFor = expiresIn == null ? null : Durations.parse(expiresIn, "--expires-in");
            } catch (ConfigException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            String token = withTokens(t -> t.create(agentId, validFor));
            spec.commandLine().getOut().println(token);
            spec.commandLine()
                    .getErr()
                    .println(
                            "redwatch-collector: created a token for agent " + agentId
                                    + (validFor == null
                                            ? ""
                                            : ", expiring " + Instant.now().plus(validFor))
                                    + ". It is shown only this once: put it in the file the agent's collector.token_file names (mode 0600).");
            return ExitCodes.OK;
        }
    }

    @Command(name = "revoke", description = "Revoke every token of an agent; its next connection is refused.")
    static final class Revoke extends TokenOptions implements Callable<Integer> {
        @Option(names = "--agent-id", required = true)
        String agentId;

        @Override
        public Integer call() {
            checkAgentId(agentId);
            int n = withTokens(t -> t.revoke(agentId));
            spec.commandLine()
                    .getOut()
                    .println("redwatch-collector: revoked " + n + " token(s) of agent " + agentId
                            + (n == 0 ? " (it had none in force)" : "")
                            + "; connections already open stay open until the agent reconnects");
            return n == 0 ? ExitCodes.FAILURE : ExitCodes.OK;
        }
    }

    @Command(name = "list", description = "List tokens: id, agent, created, expires, revoked (never the token).")
    static final class ListTokens extends TokenOptions implements Callable<Integer> {
        @Override
        public Integer call() {
            List<AgentTokens.TokenInfo> all = withTokens(AgentTokens::list);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-6s %-30s %-22s %-22s %s%n", "ID", "AGENT", "CREATED", "EXPIRES", "REVOKED");
            for (AgentTokens.TokenInfo t : all) {
                out.printf(
                        "%-6d %-30s %-22s %-22s %s%n",
                        t.id(),
                        t.agentId(),
                        when(t.created()),
                        t.expires() == null ? "never" : when(t.expires()),
                        t.revoked() == null ? "-" : when(t.revoked()));
            }
            return ExitCodes.OK;
        }

        private static String when(Instant i) {
            return i.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        }
    }
}
