package io.redwatch.agent;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.logging.Level;
import java.util.logging.LogRecord;
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
        java.util.logging.LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        java.util.logging.ConsoleHandler h = new java.util.logging.ConsoleHandler();
        h.setFormatter(new LineFormatter(ZoneId.systemDefault()));
        h.setLevel(Level.ALL);
        root.addHandler(h);
        root.setLevel(Level.INFO);
        for (String noisy : new String[] {"io.netty", "io.lettuce", "io.grpc", "reactor", "oshi"}) {
            Logger l = Logger.getLogger(noisy);
            l.setLevel(Level.WARNING);
            QUIETED.add(l);
        }
    }

    /**
     * {@code 2026-11-29 20:27:09.139 +0000 INFO where: what}, written by hand: SimpleFormatter's
     * {@code %1$tF %1$tT} goes through java.util.Formatter, which loads the CLDR locale data (a few
     * hundred classes and thousands of objects kept for the life of the agent) to print digits.
     * The level's plain name, not its localized one, for the same reason (and journald readers grep it).
     */
    static final class LineFormatter extends java.util.logging.Formatter {
        private final ZoneId zone;

        LineFormatter(ZoneId zone) {
            this.zone = zone;
        }

        @Override
        public String format(LogRecord r) {
            StringBuilder b = new StringBuilder(128);
            appendTime(b, r.getMillis());
            b.append(' ').append(r.getLevel().getName()).append(' ')
                    .append(r.getLoggerName())
                    .append(": ").append(formatMessage(r));
            if (r.getThrown() != null) {
                StringWriter trace = new StringWriter();
                try (PrintWriter pw = new PrintWriter(trace)) {
                    pw.println();
                    r.getThrown().printStackTrace(pw);
                }
                b.append(trace);
            }
            return b.append(System.lineSeparator()).toString();
        }

        /** {@code yyyy-MM-dd HH:mm:ss.SSS +hhmm} in this formatter's zone. */
        void appendTime(StringBuilder b, long millis) {
            long seconds = Math.floorDiv(millis, 1000);
            ZoneOffset offset = zone.getRules().getOffset(java.time.Instant.ofEpochSecond(seconds));
            LocalDateTime t = LocalDateTime.ofEpochSecond(seconds, 0, offset);
            pad(b, t.getYear(), 4).append('-');
            pad(b, t.getMonthValue(), 2).append('-');
            pad(b, t.getDayOfMonth(), 2).append(' ');
            pad(b, t.getHour(), 2).append(':');
            pad(b, t.getMinute(), 2).append(':');
            pad(b, t.getSecond(), 2).append('.');
            pad(b, (int) Math.floorMod(millis, 1000), 3).append(' ');
            int off = offset.getTotalSeconds() / 60;
            b.append(off < 0 ? '-' : '+');
            pad(b, Math.abs(off) / 60, 2);
            pad(b, Math.abs(off) % 60, 2);
        }

        private static StringBuilder pad(StringBuilder b, int n, int width) {
            String s = Integer.toString(n);
            for (int i = s.length(); i < width; i++) b.append('0');
            return b.append(s);
        }
    }
}
