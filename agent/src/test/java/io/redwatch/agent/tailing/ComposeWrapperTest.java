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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** docker-compose prefixes, through the parser. */
class ComposeWrapperTest {

    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    @ParameterizedTest
    // not @CsvSource: it trims control characters, ESC included
    @ValueSource(
            strings = {
                "redis_1  | 1:M 21 Nov 2026 05:30:34.123 * Ready to accept connections",
                "redis-1  | 1:M 21 Nov 2026 05:30:34.123 * Ready to accept connections",
                "cache.redis-primary-1 | 1:M 21 Nov 2026 05:30:34.123 * Ready to accept connections",
                "\u001b[36mredis_1  |\u001b[0m 1:M 21 Nov 2026 05:30:34.123 * Ready to accept connections",
                "\u001b[36mredis-1  | \u001b[0m1:M 21 Nov 2026 05:30:34.123 * Ready to accept connections",
                "\u001b[1;32mredis-1\u001b[0m  | 1:M 21 Nov 2026 05:30:34.123 * Ready to accept connections"
            })
    void composePrefixesWithAndWithoutColour(String line) {
        LogEvent event = new LogLineParser(ZoneOffset.UTC).parse(line, 0).build();

        assertTrue(event.getParsed(), line);
        assertEquals("compose", event.getWrapper());
        assertEquals(1, event.getPid());
        assertEquals("M", event.getRole());
        assertEquals(ms("2026-11-21T05:30:34.123Z"), event.getTsMs());
        assertEquals("Ready to accept connections", event.getMessage());
        assertEquals(line, event.getRaw());
    }

    @Test
    void composeWithTimestamps() {
        LogEvent event = new LogLineParser(SHANGHAI)
                .parse(
                        "redis-1  | 2026-11-21T05:30:34.987654321Z "
                                + "1:C 21 Nov 2026 05:30:34.986 # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
                        0)
                .build();

        assertEquals("compose", event.getWrapper());
        assertEquals(ms("2026-11-21T05:30:34.987Z"), event.getTsMs());
        assertEquals("C", event.getRole());
    }

    @Test
    void pipeSeparatedTextIsNotMistakenForCompose() {
        LogLineParser parser = new LogLineParser(ZoneOffset.UTC);
        for (String line : List.of("foo | bar", "name  | 12 apples", "a |", "redis_1  |")) {
            assertFalse(parser.parse(line, 0).build().getParsed(), line);
        }
    }
}
