package io.redwatch.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.testing.CommandRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collector's command line as a new user meets it: help on every command, exit 2 for bad usage. */
class CollectorCommandLineTest {
    @TempDir
    Path tmp;

    private static CommandRun execute(String... args) {
        return CommandRun.of(CollectorMain.commandLine(), args);
    }

    @Test
    void everyCommandAndSubcommandAnswersHelpWithExit0() {
        for (String cmd : new String[] {
            "",
            "run",
            "migrate",
            "doctor",
            "token",
            "token create",
            "token revoke",
            "token list",
            "instance",
            "instance move"
        }) {
            String[] args = (cmd.isEmpty() ? "--help" : cmd + " --help").split(" ");
            CommandRun r = execute(args);
            assertEquals(0, r.exit(), cmd + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: redwatch-collector" + (cmd.isEmpty() ? "" : " " + cmd)), r.out());
        }
    }

    @Test
    void anUnknownOptionIsBadUsageExit2() {
        assertEquals(2, execute("--bogus").exit());
        assertEquals(2, execute("run", "--bogus").exit());
        assertEquals(2, execute("token", "create", "--bogus").exit());
    }

    @Test
    void aMissingConfigFileIsNamedWithTheReason() {
        Path missing = tmp.resolve("collector.yaml");

        CommandRun r = execute("run", "--config", missing.toString());

        assertEquals(2, r.exit());
        assertEquals(
                "redwatch-collector: bad configuration: cannot read config file " + missing
                        + ": no such file (check the path given to --config)",
                r.err().strip());
    }

    @Test
    void aKeyGivenTwiceInCollectorYamlIsBadConfigurationNamingKeyAndLine() throws IOException {
        CommandRun r = runWithConfig("grpc_port: 7400\nhttp_port: 7401\ngrpc_port: 7500\n");

        assertEquals(2, r.exit(), r.err());
        assertEquals(
                "redwatch-collector: bad configuration: " + tmp.resolve("collector.yaml")
                        + ": key 'grpc_port' is given twice (line 3); keep one of the two, as only one can count",
                r.err().strip());
    }

    @Test
    void aHugeDurationInCollectorYamlIsBadConfigurationNamingTheKey() throws IOException {
        CommandRun r = runWithConfig("rules:\n  sync_stuck: 9999999999999999h\n");

        assertEquals(2, r.exit(), r.err());
        assertEquals(
                "redwatch-collector: bad configuration: rules.sync_stuck: '9999999999999999h' is too large;"
                        + " the longest duration allowed is 36500d (100 years)",
                r.err().strip());
    }

    /** {@code run} on a collector.yaml holding {@code yaml}: refused before it reaches the database. */
    private CommandRun runWithConfig(String yaml) throws IOException {
        Path config = Files.writeString(tmp.resolve("collector.yaml"), yaml);
        return execute("run", "--config", config.toString());
    }
}
