package io.redwatch.common.logging;

import io.redwatch.common.text.ControlCharacters;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * {@code 2026-11-29 20:27:09.139 +0000 INFO where: what}, one line per message.
 *
 * <p>The message text keeps to one line: control characters in it are escaped. Messages quote agent
 * ids, instance and host names and log lines, i.e. network or file input; a newline in one would
 * otherwise let its author write whole lines of their choosing into our log ("... SEVERE ... database
 * lost"). A stack trace keeps its own lines.
 *
 * <p>Written by hand rather than with SimpleFormatter's {@code %1$tF %1$tT}: that goes through
 * java.util.Formatter, which loads the CLDR locale data (a few hundred classes and thousands of
 * objects kept for the life of the process, ~2.7 MB of the agent's memory) to print digits. The
 * level's plain name, not its localized one, for the same reason (and journald readers grep it).
 */
public final class OneLineFormatter extends Formatter {
    private final ZoneId zone;

    public OneLineFormatter() {
        this(ZoneId.systemDefault());
    }

    OneLineFormatter(ZoneId zone) {
        this.zone = zone;
    }

    @Override
    public String format(LogRecord r) {
        StringBuilder b = new StringBuilder(128);
        appendTime(b, r.getMillis());
        b.append(' ')
                .append(r.getLevel().getName())
                .append(' ')
                .append(r.getLoggerName())
                .append(": ")
                .append(ControlCharacters.escape(formatMessage(r)));
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
        ZoneOffset offset = zone.getRules().getOffset(Instant.ofEpochSecond(seconds));
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
