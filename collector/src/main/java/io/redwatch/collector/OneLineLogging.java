package io.redwatch.collector;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One line per log record, to stderr (journald keeps it): time, level, where, what. Library chatter
 * (Netty, Lettuce, gRPC) is held to warnings so the agent's own lines stay readable.
 */
final class OneLineLogging {
    /** JUL holds loggers weakly; a level set on a collected logger is lost, so keep them. */
    private static final java.util.List<Logger> QUIETED = new java.util.ArrayList<>();

    private OneLineLogging() {
    }

    static void install() {
        if (System.getProperty("java.util.logging.config.file") != null) return; // the operator chose
        System.setProperty("java.util.logging.SimpleFormatter.format",
                "%1$tF %1$tT.%1$tL %1$tz %4$s %3$s: %5$s%6$s%n");
        java.util.logging.LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        java.util.logging.ConsoleHandler h = new java.util.logging.ConsoleHandler();
        h.setFormatter(new OneLineFormatter());
        h.setLevel(Level.ALL);
        root.addHandler(h);
        root.setLevel(Level.INFO);
        for (String noisy : new String[] {"io.netty", "io.lettuce", "io.grpc", "io.vertx", "com.zaxxer.hikari", "org.flywaydb"}) {
            Logger l = Logger.getLogger(noisy);
            l.setLevel(Level.WARNING);
            QUIETED.add(l);
        }
    }
}
