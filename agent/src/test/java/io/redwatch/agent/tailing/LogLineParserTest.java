package io.redwatch.agent.tailing;

import static io.redwatch.agent.tailing.ParsedTimes.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.proto.v1.LogEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Redis's own line formats, the seed logs, garbage and run-together lines. Each wrapper, and the
 * zone work, has its own test class.
 */
class LogLineParserTest {

    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    /**
     * An independent reading of the pre-6.x formats (regex + java.time) to check the hand-written
     * scanner against, line by line.
     */
    private static final Pattern OLD_FORMAT =
            Pattern.compile("^[ \\t]*(?:\\[(\\d+)\\]|(\\d+):([MSCX])) (\\d{2}) ([A-Z][a-z]{2}) "
                    + "(\\d{2}:\\d{2}:\\d{2})\\.(\\d{3}) ([.\\-*#]) (.*)$");

    static String resource(String name) {
        try (InputStream in = LogLineParserTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + name, e);
        }
    }

    // --- the seeds ---------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} read on {1}")
    @CsvSource({
        // seed file, when the post-mortem was written (the reference), lines, entries
        "seed-000.log, 2015-08-20T10:00:00+08:00, 173, 173",
        "seed-001.log, 2015-12-10T10:00:00+08:00, 2, 2",
        "seed-002.log, 2017-03-06T18:00:00+08:00, 39, 39",
        "seed-003.log, 2017-08-16T10:00:00+08:00, 18, 18",
        "seed-004.log, 2019-09-15T10:00:00+08:00, 1, 10"
    })
    void everySeedLogLineParsesAndAgreesWithAnIndependentReading(
            String file, String reference, int lines, int entries) {
        LogLineParser parser = new LogLineParser(SHANGHAI);
        long ref = ms(reference);
        int referenceYear = OffsetDateTime.parse(reference).getYear();
        List<String> physical = List.of(resource("/logs/" + file).split("\n"));
        assertEquals(lines, physical.size());

        int seen = 0;
        for (String line : physical) {
            for (String entry : LogLineParser.splitRunTogether(line)) {
                seen++;
                LogEvent event = parser.parse(entry, ref).build();
                Matcher m = OLD_FORMAT.matcher(entry);
                assertTrue(m.matches(), "test oracle does not match: " + entry);
                assertTrue(event.getParsed(), entry);
                assertTrue(event.getTsFromLog(), entry);
                assertEquals(entry, event.getRaw());
                assertEquals(Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2)), event.getPid());
                assertEquals(m.group(3) == null ? "" : m.group(3), event.getRole(), entry);
                assertEquals("[.-*#]".indexOf(m.group(8)), event.getLevelValue(), entry);
                assertEquals(m.group(9), event.getMessage());
                assertEquals("", event.getWrapper());
                LocalDateTime local = LocalDateTime.parse(
                        referenceYear + " " + m.group(4) + " " + m.group(5) + " " + m.group(6) + "." + m.group(7),
                        java.time.format.DateTimeFormatter.ofPattern(
                                "yyyy dd MMM HH:mm:ss.SSS", java.util.Locale.ENGLISH));
                assertEquals(ZonedDateTime.of(local, SHANGHAI).toInstant().toEpochMilli(), event.getTsMs(), entry);
            }
        }
        assertEquals(entries, seen);
    }

    @Test
    void seed003ForkFailureLineInDetail() {
        LogEvent event = new LogLineParser(SHANGHAI)
                .parse(
                        "1838:M 15 Aug 13:52:01.101 # Can't rewrite append only file in background: fork: "
                                + "Cannot allocate memory",
                        ms("2017-08-16T10:00:00+08:00"))
                .build();

        assertEquals(1838, event.getPid());
        assertEquals("M", event.getRole());
        assertEquals(LogEvent.Level.WARNING, event.getLevel());
        assertEquals("Can't rewrite append only file in background: fork: Cannot allocate memory", event.getMessage());
        assertEquals(ms("2017-08-15T13:52:01.101+08:00"), event.getTsMs());
    }

    @Test
    void seed000TwoDotXChildLine() {
        LogEvent event = new LogLineParser(SHANGHAI)
                .parse("\t[2854] 03 May 17:58:58.949 * DB saved on disk", ms("2015-08-20T10:00:00+08:00"))
                .build();

        assertEquals(2854, event.getPid());
        assertEquals("", event.getRole());
        assertEquals(LogEvent.Level.NOTICE, event.getLevel());
        assertEquals("DB saved on disk", event.getMessage());
        assertEquals(ms("2015-05-03T17:58:58.949+08:00"), event.getTsMs());
    }

    // --- formats -----------------------------------------------------------------------------------

    @Test
    void redis6And7LinesCarryTheirYear() {
        LogEvent event = new LogLineParser(ZoneOffset.UTC)
                .parse("1:M 21 Nov 2026 05:30:34.123 * Ready to accept connections", ms("2031-01-01T00:00:00Z"))
                .build();

        assertTrue(event.getParsed());
        assertEquals(ms("2026-11-21T05:30:34.123Z"), event.getTsMs());
        assertEquals(1, event.getPid());
        assertEquals("M", event.getRole());
        assertEquals(LogEvent.Level.NOTICE, event.getLevel());
        assertEquals("Ready to accept connections", event.getMessage());
    }

    @Test
    void sentinelAndReplicaRoles() {
        LogLineParser parser = new LogLineParser(ZoneOffset.UTC);
        assertEquals(
                "X",
                parser.parse("7:X 21 Nov 2026 05:30:34.123 # +sdown master mymaster " + "127.0.0.1 6379", 0)
                        .build()
                        .getRole());
        assertEquals(
                "S",
                parser.parse("7:S 21 Nov 2026 05:30:34.123 * MASTER <-> REPLICA sync: " + "Finished with success", 0)
                        .build()
                        .getRole());
    }

    @Test
    void signalHandlerLinesUseTheirUnixTime() {
        LogEvent event = new LogLineParser(SHANGHAI)
                .parse("1:signal-handler (1700000000) Received SIGTERM scheduling shutdown...", 5L)
                .build();

        assertTrue(event.getParsed());
        assertTrue(event.getTsFromLog());
        assertEquals(1_700_000_000_000L, event.getTsMs());
        assertEquals(1, event.getPid());
        assertEquals("", event.getRole());
        assertEquals(LogEvent.Level.LEVEL_UNSPECIFIED, event.getLevel());
        assertEquals("Received SIGTERM scheduling shutdown...", event.getMessage());
    }

    @Test
    void oldTwoDotXLinesWithoutMilliseconds() {
        LogEvent event = new LogLineParser(ZoneOffset.UTC)
                .parse("[4018] 14 Nov 07:01:22 * Server started, Redis version 2.2.12", ms("2011-11-20T00:00:00Z"))
                .build();

        assertTrue(event.getParsed());
        assertEquals(ms("2011-11-14T07:01:22Z"), event.getTsMs());
        assertEquals(4018, event.getPid());
        assertEquals("Server started, Redis version 2.2.12", event.getMessage());
    }

    @ParameterizedTest
    @CsvSource({". , DEBUG", "- , VERBOSE", "* , NOTICE", "# , WARNING"})
    void levelCharacters(char c, LogEvent.Level level) {
        LogEvent event = new LogLineParser(ZoneOffset.UTC)
                .parse("12:M 21 Nov 2026 05:30:34.123 " + c + " text", 0)
                .build();
        assertEquals(level, event.getLevel());
        assertEquals("text", event.getMessage());
    }

    @Test
    void trailingCarriageReturnIsNotPartOfTheMessage() {
        LogEvent event = new LogLineParser(ZoneOffset.UTC)
                .parse("12:M 21 Nov 2026 05:30:34.123 * DB saved on disk\r", 0)
                .build();
        assertEquals("DB saved on disk", event.getMessage());
        assertEquals("12:M 21 Nov 2026 05:30:34.123 * DB saved on disk\r", event.getRaw());
    }

    // --- garbage -----------------------------------------------------------------------------------

    @Test
    void garbageNeverThrowsAndIsKeptRaw() {
        LogLineParser parser = new LogLineParser(BERLIN);
        Random random = new Random(42);
        String megabyte = "x".repeat(1 << 20);
        List<String> fixed = new java.util.ArrayList<>(List.of(
                "",
                " ",
                "\t",
                "\r",
                "\u0000",
                "12345",
                "[",
                "[123]",
                "1:",
                "1:M",
                "1:M ",
                "<",
                "<999>1 x",
                "<13>",
                "{",
                "{\"log\"",
                "Nov",
                "Nov 21",
                "2026-11-21T",
                "\u001b[",
                "\u001b[36m",
                megabyte,
                "1:M " + megabyte,
                "{\"log\":\"" + megabyte + "\"}",
                "Nov 21 05:30:34 " + megabyte));
        byte[] bytes = new byte[4096];
        for (int i = 0; i < 200; i++) {
            random.nextBytes(bytes);
            fixed.add(new String(bytes, 0, 1 + random.nextInt(bytes.length), StandardCharsets.UTF_8));
        }
        for (String line : fixed) {
            LogEvent event = parser.parse(line, 1234L).build();
            assertEquals(line, event.getRaw());
            if (!event.getParsed()) {
                assertEquals(line, event.getMessage());
                assertEquals(1234L, event.getTsMs());
            }
        }
        assertFalse(parser.parse(megabyte, 0).build().getParsed());
    }

    @Test
    void everyPrefixAndMutationOfRealLinesIsSafe() {
        LogLineParser parser = new LogLineParser(SHANGHAI);
        List<String> samples = List.of(
                "1:M 21 Nov 2026 05:30:34.123 * Ready to accept connections",
                "[4018] 14 Nov 07:01:22.119 * Server started, Redis version 2.2.12",
                "1:signal-handler (1700000000) Received SIGTERM scheduling shutdown...",
                "<30>1 2026-11-21T05:30:34.123+00:00 host redis-server 1234 - [a b=\"c\"] msg",
                "2026-11-21T05:30:34+0000 host redis-server[1234]: 1234:M 21 Nov 2026 05:30:34.123 * x",
                "{\"log\":\"1:M 21 Nov 2026 05:30:34.123 * Ready\\n\",\"time\":\"2026-11-21T05:30:34Z\"}",
                "\u001b[36mredis_1  |\u001b[0m 1:M 21 Nov 2026 05:30:34.123 * Ready");
        Random random = new Random(1);
        String alphabet = "0123456789:[]{}<>\"\\ -.*#|TZ+\u001bMSCXNov\n\r\t";
        for (String sample : samples) {
            for (int cut = 0; cut <= sample.length(); cut++) {
                String prefix = sample.substring(0, cut);
                assertEquals(prefix, parser.parse(prefix, 0).build().getRaw());
            }
            for (int i = 0; i < 2000; i++) {
                char[] chars = sample.toCharArray();
                for (int k = 0; k < 3; k++) {
                    chars[random.nextInt(chars.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
                }
                String mutated = new String(chars);
                assertEquals(mutated, parser.parse(mutated, 0).build().getRaw());
            }
        }
    }

    // --- run-together lines ------------------------------------------------------------------------

    @Test
    void seed004RunTogetherLineSplitsIntoItsEntries() {
        String line = resource("/logs/seed-004.log").split("\n")[0];

        List<String> entries = LogLineParser.splitRunTogether(line);

        int starts = line.split("420:M ", -1).length - 1;
        assertEquals(10, starts);
        assertEquals(starts, entries.size());
        assertEquals(line, String.join(" ", entries));
        assertEquals(
                "420:M 14 Sep 15:56:27.067 # Can't save in background: fork: Cannot allocate memory", entries.get(0));
        assertEquals("420:M 14 Sep 15:56:57.002 * 10000 changes in 60 seconds. Saving...", entries.get(9));
    }

    @Test
    void splitKeepsLeadingTextAndLeavesOrdinaryLinesAlone() {
        assertEquals(
                List.of("log:", "1:M 21 Nov 2026 05:30:34.123 * a", "[9] 14 Nov 07:01:22.119 # b"),
                LogLineParser.splitRunTogether("log:  1:M 21 Nov 2026 05:30:34.123 * a [9] 14 Nov 07:01:22.119 # b"));
        String clientLine = "12345:M 18 Aug 12:51:54.071 # Client id=2 addr=10.242.117.36:21949 fd=5 "
                + "name= age=5100 idle=0 flags=S db=0 cmd=replconf scheduled to be closed ASAP";
        assertEquals(List.of(clientLine), LogLineParser.splitRunTogether(clientLine));
        assertEquals(
                List.of("\t[1] 03 May 17:58:51.215 * x"),
                LogLineParser.splitRunTogether("\t[1] 03 May 17:58:51.215 * x"));
        assertEquals(List.of("no entries here 12 at all"), LogLineParser.splitRunTogether("no entries here 12 at all"));
        assertEquals(List.of(""), LogLineParser.splitRunTogether(""));
        assertEquals(
                2,
                LogLineParser.splitRunTogether(
                                "1:M 21 Nov 2026 05:30:34.123 * a 1:signal-handler (1700000000) Received SIGTERM")
                        .size());
    }
}
