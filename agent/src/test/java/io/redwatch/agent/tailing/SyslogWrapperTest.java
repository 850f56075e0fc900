package io.redwatch.agent.tailing;

import static io.redwatch.agent.tailing.ParsedTimes.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.proto.v1.LogEvent;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** BSD, RFC 5424 and rsyslog syslog lines, and journalctl output labelled journald. */
class SyslogWrapperTest {

    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    @Test
    void bsdSyslogAroundAFullRedisLineKeepsRedisTimeAndFields() {
        LogEvent event = new LogLineParser(ZoneOffset.UTC)
                .parse(
                        "Nov 21 05:30:34 cache-7 redis-server[1234]: 1234:M 21 Nov 2026 05:30:34.123 # "
                                + "Background saving error",
                        ms("2026-11-21T06:00:00Z"))
                .build();

        assertTrue(event.getParsed());
        assertEquals("syslog", event.getWrapper());
        assertEquals(ms("2026-11-21T05:30:34.123Z"), event.getTsMs());
        assertEquals(1234, event.getPid());
        assertEquals("M", event.getRole());
        assertEquals(LogEvent.Level.WARNING, event.getLevel());
        assertEquals("Background saving error", event.getMessage());
    }

    @Test
    void bsdSyslogWithOnlyTheMessageUsesTheWrapper() {
        LogLineParser parser = new LogLineParser(ZoneOffset.UTC);
        LogEvent event = parser.parse(
                        "Nov  1 05:30:34 cache-7 redis-server[1234]: " + "Ready to accept connections",
                        ms("2026-11-21T06:00:00Z"))
                .build();

        assertTrue(event.getParsed());
        assertEquals("syslog", event.getWrapper());
        assertEquals(ms("2026-11-01T05:30:34Z"), event.getTsMs());
        assertEquals(1234, event.getPid());
        assertEquals("", event.getRole());
        assertEquals(LogEvent.Level.LEVEL_UNSPECIFIED, event.getLevel());
        assertEquals("Ready to accept connections", event.getMessage());

        LogEvent december = parser.parse("Dec 31 23:59:59 cache-7 redis: Saving...", ms("2027-01-01T00:00:10Z"))
                .build();
        assertEquals(ms("2026-12-31T23:59:59Z"), december.getTsMs());
        assertEquals(0, december.getPid());
    }

    @Test
    void rfc5424MessageOnlyTakesLevelFromThePriority() {
        LogLineParser parser = new LogLineParser(SHANGHAI);
        LogEvent info = parser.parse(
                        "<30>1 2026-11-21T05:30:34.123+00:00 host redis-server 1234 - - "
                                + "Ready to accept connections",
                        0)
                .build();

        assertTrue(info.getParsed());
        assertEquals("syslog", info.getWrapper());
        assertEquals(ms("2026-11-21T05:30:34.123Z"), info.getTsMs());
        assertEquals(1234, info.getPid());
        assertEquals(LogEvent.Level.VERBOSE, info.getLevel()); // severity 6 = LOG_INFO = Redis VERBOSE
        assertEquals("Ready to accept connections", info.getMessage());

        LogEvent warning = parser.parse(
                        "<28>1 2026-11-21T05:30:34.123+01:00 host redis-server 1234 "
                                + "- [origin ip=\"10.0.0.1\" x=\"a\\]b\"] \uFEFFCan't save in background: fork: Cannot "
                                + "allocate memory",
                        0)
                .build();
        assertEquals(LogEvent.Level.WARNING, warning.getLevel());
        assertEquals(ms("2026-11-21T04:30:34.123Z"), warning.getTsMs());
        assertEquals("Can't save in background: fork: Cannot allocate memory", warning.getMessage());
    }

    @Test
    void rfc5424AroundAFullRedisLine() {
        LogEvent event = new LogLineParser(ZoneOffset.UTC)
                .parse(
                        "<29>1 2026-11-21T05:30:34.123456Z "
                                + "host redis-server 1234 - - 1234:S 21 Nov 2026 05:30:34.123 * Connecting to MASTER "
                                + "10.0.0.1:6379",
                        0)
                .build();

        assertEquals("syslog", event.getWrapper());
        assertEquals("S", event.getRole());
        assertEquals(LogEvent.Level.NOTICE, event.getLevel());
        assertEquals("Connecting to MASTER 10.0.0.1:6379", event.getMessage());
        assertEquals(ms("2026-11-21T05:30:34.123Z"), event.getTsMs());
    }

    @Test
    void rsyslogHighPrecisionTimestampIsExactAndWins() {
        // The Redis line says 13:30 (the host's Shanghai time); the wrapper names the same instant
        // exactly; a parser configured with the wrong zone still gets it right.
        LogEvent event = new LogLineParser(ZoneOffset.UTC)
                .parse(
                        "2026-11-21T13:30:34.123456+08:00 cache-7 redis-server[1234]: 1234:M 21 Nov 2026 "
                                + "13:30:34.123 * Background saving started by pid 99",
                        0)
                .build();

        assertEquals("syslog", event.getWrapper());
        assertEquals(ms("2026-11-21T05:30:34.123Z"), event.getTsMs());
        assertEquals(1234, event.getPid());
        assertEquals("Background saving started by pid 99", event.getMessage());
    }

    @Test
    void journalctlShortIsoAndShortPreciseAreJournald() {
        LogLineParser parser = new LogLineParser(ZoneOffset.UTC);
        LogEvent iso = parser.parse(
                        "2026-11-21T05:30:34+0000 cache-7 redis-server[1234]: "
                                + "1234:M 21 Nov 2026 05:30:34.123 * Ready to accept connections",
                        0)
                .build();
        assertEquals("journald", iso.getWrapper());
        assertEquals(ms("2026-11-21T05:30:34Z"), iso.getTsMs());
        assertEquals("Ready to accept connections", iso.getMessage());

        LogEvent precise = parser.parse(
                        "Nov 21 05:30:34.123456 cache-7 redis-server[1234]: " + "Ready to accept connections",
                        ms("2026-11-22T00:00:00Z"))
                .build();
        assertEquals("journald", precise.getWrapper());
        assertEquals(ms("2026-11-21T05:30:34.123Z"), precise.getTsMs());
        assertEquals(1234, precise.getPid());

        LogEvent preciseIso = parser.parse(
                        "2026-11-21T05:30:34.123456-0500 cache-7 " + "redis-server[1234]: DB saved on disk", 0)
                .build();
        assertEquals("journald", preciseIso.getWrapper());
        assertEquals(ms("2026-11-21T10:30:34.123Z"), preciseIso.getTsMs());
    }

    @Test
    void journalctlBannerLinesAreNotParsed() {
        LogLineParser parser = new LogLineParser(ZoneOffset.UTC);
        for (String line : List.of(
                "-- Logs begin at Sat 2026-11-21 05:00:00 UTC. --",
                "-- Boot 3a1f2b0c4d5e6f708192a3b4c5d6e7f8 --",
                "-- No entries --")) {
            assertFalse(parser.parse(line, 1).build().getParsed(), line);
        }
    }
}
