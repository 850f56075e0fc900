package io.redwatch.common.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;

/** The hand-written line is the one SimpleFormatter printed with the old pattern, so journald readers see no change. */
class OneLineFormatterTimeTest {
    private static LogRecord record(Level level, String message, Instant at) {
        LogRecord r = new LogRecord(level, message);
        r.setLoggerName("io.redwatch.agent.Agent");
        r.setInstant(at);
        return r;
    }

    @Test
    void aLineHasTimeWithMillisAndOffsetThenLevelLoggerAndMessage() {
        OneLineFormatter f = new OneLineFormatter(ZoneId.of("Asia/Kolkata"));

        String line =
                f.format(record(Level.WARNING, "collector unreachable", Instant.parse("2026-02-03T23:45:06.007Z")));

        assertEquals(
                "2026-02-04 05:15:06.007 +0530 WARNING io.redwatch.agent.Agent: collector unreachable"
                        + System.lineSeparator(),
                line);
    }

    @Test
    void aZoneWestOfGreenwichAndAMessageWithParametersAndAThrowable() {
        OneLineFormatter f = new OneLineFormatter(ZoneId.of("America/St_Johns"));
        LogRecord r = record(Level.SEVERE, "sample of {0} failed", Instant.parse("1999-12-31T23:59:59.999Z"));
        r.setParameters(new Object[] {"redis://h:6379"});
        r.setThrown(new IOException("connection refused"));

        String out = f.format(r);

        assertTrue(
                out.startsWith(
                        "1999-12-31 20:29:59.999 -0330 SEVERE io.redwatch.agent.Agent: sample of redis://h:6379 failed"
                                + System.lineSeparator() + "java.io.IOException: connection refused"
                                + System.lineSeparator()),
                out);
    }

    @Test
    void sameTextAsSimpleFormatterWithTheFormerPatternInThisMachinesZone() {
        String former = "%1$tF %1$tT.%1$tL %1$tz %4$s %3$s: %5$s%6$s%n";
        String key = "java.util.logging.SimpleFormatter.format";
        String saved = System.getProperty(key);
        System.setProperty(key, former);
        try {
            SimpleFormatter simple = new SimpleFormatter();
            OneLineFormatter mine = new OneLineFormatter(ZoneId.systemDefault());
            for (String at :
                    new String[] {"2026-11-29T20:27:09.139Z", "2026-03-29T01:30:00Z", "2026-10-25T00:59:59.001Z"}) {
                LogRecord r = record(Level.INFO, "stopping: signal received", Instant.parse(at));
                assertEquals(simple.format(r), mine.format(r), at);
            }
        } finally {
            if (saved == null) System.clearProperty(key);
            else System.setProperty(key, saved);
        }
    }
}
