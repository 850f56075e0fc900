package io.redwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.testing.CommandRun;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's command line as a new user meets it: help everywhere, the README's exit codes, one clear line. */
class AgentCommandLineIT {
    @TempDir
    Path tmp;

    private static CommandRun execute(String... args) {
        return CommandRun.of(AgentMain::execute, args);
    }

    @Test
    void everyCommandAnswersHelpWithExit0() {
        for (String[] args :
                new String[][] {{"--help"}, {"run", "--help"}, {"snapshot", "--help"}, {"snapshot", "-h"}}) {
            CommandRun r = execute(args);
            assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: redwatch-agent"), r.out());
        }
        assertTrue(execute("snapshot", "--help").out().contains("--password-file"));
        assertTrue(
                execute("--help").out().contains("Commands:\n  run "),
                execute("--help").out());
    }

    @Test
    void versionOnEveryCommand() {
        for (String[] args : new String[][] {{"--version"}, {"run", "-V"}, {"snapshot", "--version"}}) {
            CommandRun r = execute(args);
            assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.out().startsWith("redwatch-agent "), r.out());
        }
    }

    @Test
    void noCommandOrAStrayWordIsBadUsageExit2WithHelp() {
        CommandRun none = execute();
        assertEquals(2, none.exit());
        assertTrue(none.err().contains("missing command: run or snapshot"), none.err());
        assertTrue(none.err().contains("Usage: redwatch-agent"), none.err());

        CommandRun stray = execute("snapshot", "extra");
        assertEquals(2, stray.exit());
        assertTrue(
                stray.err().startsWith("Unmatched argument at index 1: 'extra'\nUsage: redwatch-agent snapshot"),
                stray.err());
    }

    @Test
    void anUnknownOptionIsBadUsageExit2() {
        for (String[] args :
                new String[][] {{"--bogus"}, {"run", "--bogus"}, {"snapshot", "--bogus"}, {"snapshot", "--redis"}}) {
            CommandRun r = execute(args);
            assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.err());
        }
        assertTrue(execute("snapshot", "--bogus").err().startsWith("Unknown option: '--bogus'"));
    }

    @Test
    void snapshotOfARedisThatDoesNotAnswerSaysOnceWhatFailedAndExits1() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }

        CommandRun r = execute("snapshot", "--redis", "redis://127.0.0.1:" + closed);

        assertEquals(1, r.exit(), r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(
                err.startsWith("redwatch-agent: Redis at redis://127.0.0.1:" + closed
                        + " did not answer: connection refused."),
                err);
        assertTrue(err.contains("Check that redis-server runs"), "says what to do: " + err);
        assertFalse(err.contains("retrying"), "a one-shot command does not retry: " + err);
    }

    @Test
    void aMissingConfigFileIsNamedWithTheReason() {
        Path missing = tmp.resolve("agent.yaml");

        CommandRun r = execute("run", "--config", missing.toString());

        assertEquals(2, r.exit());
        assertEquals(
                "redwatch-agent: bad configuration: cannot read config file " + missing
                        + ": no such file (check the path given to --config)",
                r.err().strip());
    }
}
