package io.redwatch.common.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class OneLineFormatterTest {
    @Test
    void aNameWithANewlineCannotForgeALineOfTheCollectorsLog() {
        LogRecord r = new LogRecord(Level.WARNING, "agent {0} refused: bad token");
        r.setParameters(new Object[] {"a1\n2026-11-29 03:00:00.000 +0000 SEVERE io.redwatch: database lost"});
        r.setLoggerName("io.redwatch.collector.ingest.IngestService");

        String line = new OneLineFormatter().format(r);
        String plain = new OneLineFormatter().format(new LogRecord(Level.WARNING, "agent a1 refused: bad token"));

        assertEquals(plain.split("\n", -1).length, line.split("\n", -1).length, "no line added: " + line);
        assertTrue(
                line.contains("agent a1\\n2026-11-29 03:00:00.000 +0000 SEVERE io.redwatch: database lost refused"),
                line);
    }
}
