package io.redwatch.agent.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs a command line in-process as a user would type it, and keeps what it printed and its exit code. */
public record CommandRun(int exit, String out, String err) {

    /** A command line that is not a picocli one (the agent's): arguments in, text out, an exit code back. */
    @FunctionalInterface
    public interface Execution {
        int execute(String[] args, PrintWriter out, PrintWriter err);
    }

    public static CommandRun of(CommandLine cl, String... args) {
        return of(
                (a, out, err) -> {
                    cl.setOut(out);
                    cl.setErr(err);
                    return cl.execute(a);
                },
                args);
    }

    public static CommandRun of(Execution command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = command.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CommandRun(exit, out.toString(), err.toString());
    }
}
