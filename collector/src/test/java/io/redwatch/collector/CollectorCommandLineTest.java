package io.redwatch.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The collector's command line as a new user meets it: help on every command, exit 2 for bad usage. */
class CollectorCommandLineTest {
    @TempDir
    Path tmp;

    record Result(int exit, String out, String err) {
    }

    private static Result execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = CollectorMain.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Result(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void everyCommandAndSubcommandAnswersHelpWithExit0() {
        for (String cmd : new String[] {"", "run", "migrate", "doctor", "token", "token create", "token revoke", "token list"}) {
            String[] args = (cmd.isEmpty() ? "--help" : cmd + " --help").split(" ");
            Result r = execute(args);
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

        Result r = execute("run", "--config", missing.toString());

        assertEquals(2, r.exit());
        assertEquals("redwatch-collector: bad configuration: cannot read config file " + missing
                + ": no such file (check the path given to --config)", r.err().strip());
    }
}
