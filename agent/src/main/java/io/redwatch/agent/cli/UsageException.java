package io.redwatch.agent.cli;

/** The command line itself is wrong (unknown option, missing value): exit 2, with the command's help. */
public final class UsageException extends RuntimeException {
    private final transient CommandSpec command;

    public UsageException(CommandSpec command, String message) {
        super(message);
        this.command = command;
    }

    /** The command whose help shows the user what it accepts. */
    public CommandSpec command() {
        return command;
    }
}
