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

/** Lines of Docker's json-file driver, through the parser. */
class DockerJsonWrapperTest {

    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    @Test
    void dockerJsonFileLineIsDecodedAndItsTimeWins() {
        String line = "{\"log\":\"1:M 21 Nov 2026 05:30:34.123 # Can't open \\\"dump.rdb\\\" in "
                + "C:\\\\data caf\\u00e9 \\ud83d\\ude00\\n\",\"stream\":\"stdout\","
                + "\"attrs\":{\"tag\":\"a,b}\"},\"time\":\"2026-11-21T05:30:34.123456789Z\"}";
        LogEvent event = new LogLineParser(SHANGHAI).parse(line, 0).build();

        assertTrue(event.getParsed());
        assertEquals("docker-json", event.getWrapper());
        assertEquals(ms("2026-11-21T05:30:34.123Z"), event.getTsMs());
        assertEquals(1, event.getPid());
        assertEquals("M", event.getRole());
        assertEquals(LogEvent.Level.WARNING, event.getLevel());
        assertEquals("Can't open \"dump.rdb\" in C:\\data café \uD83D\uDE00", event.getMessage());
        assertEquals(line, event.getRaw());
    }

    @Test
    void dockerJsonWithANonRedisLineKeepsTheDockerTime() {
        LogEvent event = new LogLineParser(ZoneOffset.UTC)
                .parse(
                        "{\"log\":\"chown: changing "
                                + "ownership of '/data': Read-only file system\\n\",\"stream\":\"stderr\","
                                + "\"time\":\"2026-11-21T05:30:34.5Z\"}",
                        0)
                .build();

        assertTrue(event.getParsed());
        assertEquals("docker-json", event.getWrapper());
        assertEquals(ms("2026-11-21T05:30:34.500Z"), event.getTsMs());
        assertEquals("chown: changing ownership of '/data': Read-only file system", event.getMessage());
        assertEquals(LogEvent.Level.LEVEL_UNSPECIFIED, event.getLevel());
    }

    @Test
    void brokenDockerJsonIsKeptUnparsed() {
        LogLineParser parser = new LogLineParser(ZoneOffset.UTC);
        for (String line : List.of(
                "{\"log\":\"1:M 21 Nov 2026 05:30:34.123 * x",
                "{\"log\":\"bad \\q escape\",\"time\":\"2026-11-21T05:30:34Z\"}",
                "{\"log\":\"x\\u12\",\"time\":\"2026-11-21T05:30:34Z\"}",
                "{\"stream\":\"stdout\"}",
                "{}",
                "{",
                "{\"log\":1}",
                "{\"log\":\"x\",\"time\":\"2026-11-21T05:30:34Z\"} trailing")) {
            LogEvent event = parser.parse(line, 9L).build();
            assertFalse(event.getParsed(), line);
            assertEquals(line, event.getMessage());
        }
    }
}
