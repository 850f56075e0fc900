package io.redwatch.collector;

import picocli.CommandLine;

/** The collector's command line for tests in other packages, as {@code main} builds it. */
public final class CollectorMainAccess {
    private CollectorMainAccess() {}

    public static CommandLine commandLine() {
        return CollectorMain.commandLine();
    }
}
