package io.redwatch.common.logging;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * One line per log record, to stderr (journald keeps it): time, level, where, what. Library chatter
 * is held to warnings so our own lines stay readable; each side names its own libraries.
 */
public final class OneLineLogging {
    /** JUL holds loggers weakly; a level set on a collected logger is lost, so keep them. */
    private static final List<Logger> QUIETED = new ArrayList<>();

    private OneLineLogging() {}

    /** {@code quietLoggers}: logger name prefixes (e.g. {@code io.netty}) held to warnings. */
    public static void install(String... quietLoggers) {
        if (System.getProperty("java.util.logging.config.file") != null) return; // the operator chose
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        ConsoleHandler h = new ConsoleHandler();
        h.setFormatter(new OneLineFormatter());
        h.setLevel(Level.ALL);
        root.addHandler(h);
        root.setLevel(Level.INFO);
        for (String noisy : quietLoggers) {
            Logger l = Logger.getLogger(noisy);
            l.setLevel(Level.WARNING);
            QUIETED.add(l);
        }
    }
}
