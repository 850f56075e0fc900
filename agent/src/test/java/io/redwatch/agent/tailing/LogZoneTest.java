package io.redwatch.agent.tailing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.proto.v1.LogEvent;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Local times of log lines: year inference, daylight saving, and the date arithmetic under them. */
class LogZoneTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @ParameterizedTest(name = "{0} read at {1} is {2}")
    @CsvSource({
        // line date/time (no year),     reference (Berlin local),   expected (Berlin local)
        "31 Dec 23:59:59.999, 2027-01-01T00:30:00, 2026-12-31T23:59:59.999",
        "01 Jan 00:10:00.000, 2027-01-01T00:30:00, 2027-01-01T00:10:00",
        "03 Jan 00:10:00.000, 2027-01-01T00:30:00, 2027-01-03T00:10:00",
        "03 Jan 00:40:00.000, 2027-01-01T00:30:00, 2026-01-03T00:40:00",
        // a writer whose clock runs a little ahead, across new year
        "01 Jan 00:10:00.000, 2026-12-31T23:50:00, 2027-01-01T00:10:00",
        "02 Jan 23:00:00.000, 2026-12-31T23:50:00, 2027-01-02T23:00:00",
        "03 Jan 00:00:00.000, 2026-12-31T23:50:00, 2026-01-03T00:00:00",
        "15 Jun 12:00:00.000, 2027-01-01T00:30:00, 2026-06-15T12:00:00",
        "29 Feb 08:00:00.000, 2025-03-01T09:00:00, 2024-02-29T08:00:00",
        "29 Feb 08:00:00.000, 2024-03-01T09:00:00, 2024-02-29T08:00:00"
    })
    void yearIsInferredAroundNewYear(String stamp, String reference, String expected) {
        LogLineParser parser = new LogLineParser(BERLIN);
        long ref = ZonedDateTime.of(LocalDateTime.parse(reference), BERLIN)
                .toInstant()
                .toEpochMilli();

        LogEvent event = parser.parse("99:M " + stamp + " * x", ref).build();

        assertTrue(event.getParsed());
        assertEquals(
                ZonedDateTime.of(LocalDateTime.parse(expected), BERLIN)
                        .toInstant()
                        .toEpochMilli(),
                event.getTsMs());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "30 Mar 2025 01:59:59.000", // before the spring gap
        "30 Mar 2025 02:30:00.000", // inside the gap: java.time moves it forward
        "30 Mar 2025 03:00:00.000",
        "26 Oct 2025 02:30:00.000", // the autumn overlap: the earlier offset
        "26 Oct 2025 03:30:00.000",
        "15 Jul 2025 12:00:00.000"
    })
    void daylightSavingTransitionsMatchJavaTime(String stamp) {
        LogLineParser parser = new LogLineParser(BERLIN);
        LocalDateTime local = LocalDateTime.parse(
                stamp,
                java.time.format.DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss.SSS", java.util.Locale.ENGLISH));
        // twice: the second read may come from the per-hour cache
        for (int i = 0; i < 2; i++) {
            assertEquals(
                    ZonedDateTime.of(local, BERLIN).toInstant().toEpochMilli(),
                    parser.parse("1:M " + stamp + " * x", 0).build().getTsMs(),
                    stamp);
        }
    }

    @Test
    void impossibleDatesAreNotParsed() {
        LogLineParser parser = new LogLineParser(ZoneOffset.UTC);
        for (String line : List.of(
                "1:M 30 Feb 2026 05:30:34.123 * x",
                "1:M 32 Nov 2026 05:30:34.123 * x",
                "1:M 21 Nov 2026 24:30:34.123 * x",
                "1:M 21 Foo 2026 05:30:34.123 * x",
                "1:M 00 Nov 2026 05:30:34.123 * x",
                "1:Q 21 Nov 2026 05:30:34.123 * x",
                "1:M 21 Nov 2026 05:30:34.123 ! x",
                "1:M 21 Nov 2026 05:30:34.123 *x",
                "[1 21 Nov 05:30:34.123 * x",
                "99999999999:M 21 Nov 2026 05:30:34.123 * x",
                "1:signal-handler (abc) x")) {
            LogEvent event = parser.parse(line, 77L).build();
            assertFalse(event.getParsed(), line);
            assertEquals(line, event.getMessage());
            assertEquals(77L, event.getTsMs());
            assertFalse(event.getTsFromLog());
        }
    }

    @Test
    void epochDayArithmeticAgreesWithJavaTime() {
        for (int year = 1900; year <= 2200; year++) {
            for (Month month : Month.values()) {
                java.time.LocalDate first = java.time.LocalDate.of(year, month, 1);
                long day = CivilDate.epochDay(year, month.getValue(), 1);
                assertEquals(first.toEpochDay(), day);
                assertEquals(year, CivilDate.yearFromEpochDay(day));
                assertEquals(first.minusDays(1).getYear(), CivilDate.yearFromEpochDay(day - 1));
            }
        }
    }
}
