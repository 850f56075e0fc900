package io.redwatch.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void durationsOperatorsWrite() {
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms", "k"));
        assertEquals(Duration.ofSeconds(10), Durations.parse(" 10s ", "k"));
        assertEquals(Duration.ofMinutes(1), Durations.parse("1m", "k"));
        assertEquals(Duration.ofHours(2), Durations.parse("2h", "k"));
        assertEquals(Duration.ofDays(90), Durations.parse("90d", "k"));
        assertEquals(Durations.LONGEST, Durations.parse("36500d", "k"));
    }

    @Test
    void whatIsNotADurationIsRefusedNamingTheKey() {
        for (String bad : new String[] {"", "10", "s", "1.5s", "10w", "0s", "-1s", "10 seconds"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> Durations.parse(bad, "interval"), bad);
            assertTrue(e.getMessage().startsWith("interval"), e.getMessage());
        }
    }

    @Test
    void aHugeDurationIsAConfigErrorNamingTheKeyAndTheLimit() {
        // 9999999999999999h overflows Duration itself; it used to escape as ArithmeticException (exit 1, no key).
        for (String huge :
                new String[] {"9999999999999999h", "99999999999999999999s", "36501d", "9223372036854775807ms"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> Durations.parse(huge, "retention"), huge);
            assertEquals(
                    "retention: '" + huge + "' is too large; the longest duration allowed is 36500d (100 years)",
                    e.getMessage());
        }
    }

    @Test
    void anUnknownUnitSaysWhichUnitsThereAre() {
        ConfigException e = assertThrows(ConfigException.class, () -> Durations.parse("10 seconds", "interval"));

        assertEquals("interval: unknown unit in '10 seconds'; use ms, s, m, h or d", e.getMessage());
    }
}
