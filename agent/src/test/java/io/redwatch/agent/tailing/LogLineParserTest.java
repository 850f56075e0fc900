package io.redwatch.agent.tailing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.proto.v1.LogEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.Month;
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
import org.junit.jupiter.params.provider.ValueSource;

class LogLineParserTest {

  private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  /**
   * An independent reading of the pre-6.x formats (regex + java.time) to check the hand-written
   * scanner against, line by line.
   */
  private static final Pattern OLD_FORMAT = Pattern.compile(
      "^[ \\t]*(?:\\[(\\d+)\\]|(\\d+):([MSCX])) (\\d{2}) ([A-Z][a-z]{2}) "
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

  private static long ms(String isoOffsetDateTime) {
    return OffsetDateTime.parse(isoOffsetDateTime).toInstant().toEpochMilli();
  }

  // --- the seeds ---------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0} read on {1}")
  @CsvSource({
      // seed file, when the post-mortem was written (the reference), lines, entries
      "seed-000.log, 2015-08-20T10:00:00+08:00, 173, 173",
      "seed-001.log, 2015-12-10T10:00:00+08:00, 2, 2",
      "seed-002.log, 2017-03-06T18:00:00+08:00, 39, 39",
      "seed-003.log, 2017-08-16T10:00:00+08:00, 18, 18",
      "seed-004.log, 2019-09-15T10:00:00+08:00, 1, 10"})
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
        LocalDateTime local = LocalDateTime.parse(referenceYear + " " + m.group(4) + " "
            + m.group(5) + " " + m.group(6) + "." + m.group(7),
            java.time.format.DateTimeFormatter.ofPattern("yyyy dd MMM HH:mm:ss.SSS",
                java.util.Locale.ENGLISH));
        assertEquals(ZonedDateTime.of(local, SHANGHAI).toInstant().toEpochMilli(),
            event.getTsMs(), entry);
      }
    }
    assertEquals(entries, seen);
  }

  @Test
  void seed003ForkFailureLineInDetail() {
    LogEvent event = new LogLineParser(SHANGHAI).parse(
        "1838:M 15 Aug 13:52:01.101 # Can't rewrite append only file in background: fork: "
            + "Cannot allocate memory", ms("2017-08-16T10:00:00+08:00")).build();

    assertEquals(1838, event.getPid());
    assertEquals("M", event.getRole());
    assertEquals(LogEvent.Level.WARNING, event.getLevel());
    assertEquals("Can't rewrite append only file in background: fork: Cannot allocate memory",
        event.getMessage());
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
        .parse("1:M 21 Nov 2026 05:30:34.123 * Ready to accept connections",
            ms("2031-01-01T00:00:00Z"))
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
    assertEquals("X", parser.parse("7:X 21 Nov 2026 05:30:34.123 # +sdown master mymaster "
        + "127.0.0.1 6379", 0).build().getRole());
    assertEquals("S", parser.parse("7:S 21 Nov 2026 05:30:34.123 * MASTER <-> REPLICA sync: "
        + "Finished with success", 0).build().getRole());
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
        .parse("[4018] 14 Nov 07:01:22 * Server started, Redis version 2.2.12",
            ms("2011-11-20T00:00:00Z"))
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
        .parse("12:M 21 Nov 2026 05:30:34.123 " + c + " text", 0).build();
    assertEquals(level, event.getLevel());
    assertEquals("text", event.getMessage());
  }

  @Test
  void trailingCarriageReturnIsNotPartOfTheMessage() {
    LogEvent event = new LogLineParser(ZoneOffset.UTC)
        .parse("12:M 21 Nov 2026 05:30:34.123 * DB saved on disk\r", 0).build();
    assertEquals("DB saved on disk", event.getMessage());
    assertEquals("12:M 21 Nov 2026 05:30:34.123 * DB saved on disk\r", event.getRaw());
  }

  // --- year inference and zones -----------------------------------------------------------------

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
      "29 Feb 08:00:00.000, 2024-03-01T09:00:00, 2024-02-29T08:00:00"})
  void yearIsInferredAroundNewYear(String stamp, String reference, String expected) {
    LogLineParser parser = new LogLineParser(BERLIN);
    long ref = ZonedDateTime.of(LocalDateTime.parse(reference), BERLIN).toInstant().toEpochMilli();

    LogEvent event = parser.parse("99:M " + stamp + " * x", ref).build();

    assertTrue(event.getParsed());
    assertEquals(ZonedDateTime.of(LocalDateTime.parse(expected), BERLIN).toInstant().toEpochMilli(),
        event.getTsMs());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "30 Mar 2025 01:59:59.000",  // before the spring gap
      "30 Mar 2025 02:30:00.000",  // inside the gap: java.time moves it forward
      "30 Mar 2025 03:00:00.000",
      "26 Oct 2025 02:30:00.000",  // the autumn overlap: the earlier offset
      "26 Oct 2025 03:30:00.000",
      "15 Jul 2025 12:00:00.000"})
  void daylightSavingTransitionsMatchJavaTime(String stamp) {
    LogLineParser parser = new LogLineParser(BERLIN);
    LocalDateTime local = LocalDateTime.parse(stamp,
        java.time.format.DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss.SSS",
            java.util.Locale.ENGLISH));
    // twice: the second read may come from the per-hour cache
    for (int i = 0; i < 2; i++) {
      assertEquals(ZonedDateTime.of(local, BERLIN).toInstant().toEpochMilli(),
          parser.parse("1:M " + stamp + " * x", 0).build().getTsMs(), stamp);
    }
  }

  @Test
  void impossibleDatesAreNotParsed() {
    LogLineParser parser = new LogLineParser(ZoneOffset.UTC);
    for (String line : List.of("1:M 30 Feb 2026 05:30:34.123 * x", "1:M 32 Nov 2026 05:30:34.123 * x",
        "1:M 21 Nov 2026 24:30:34.123 * x", "1:M 21 Foo 2026 05:30:34.123 * x",
        "1:M 00 Nov 2026 05:30:34.123 * x", "1:Q 21 Nov 2026 05:30:34.123 * x",
        "1:M 21 Nov 2026 05:30:34.123 ! x", "1:M 21 Nov 2026 05:30:34.123 *x",
        "[1 21 Nov 05:30:34.123 * x", "99999999999:M 21 Nov 2026 05:30:34.123 * x",
        "1:signal-handler (abc) x")) {
      LogEvent event = parser.parse(line, 77L).build();
      assertFalse(event.getParsed(), line);
      assertEquals(line, event.getMessage());
      assertEquals(77L, event.getTsMs());
      assertFalse(event.getTsFromLog());
    }
  }

  // --- wrappers ----------------------------------------------------------------------------------

  @Test
  void bsdSyslogAroundAFullRedisLineKeepsRedisTimeAndFields() {
    LogEvent event = new LogLineParser(ZoneOffset.UTC).parse(
        "Nov 21 05:30:34 cache-7 redis-server[1234]: 1234:M 21 Nov 2026 05:30:34.123 # "
            + "Background saving error", ms("2026-11-21T06:00:00Z")).build();

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
    LogEvent event = parser.parse("Nov  1 05:30:34 cache-7 redis-server[1234]: "
        + "Ready to accept connections", ms("2026-11-21T06:00:00Z")).build();

    assertTrue(event.getParsed());
    assertEquals("syslog", event.getWrapper());
    assertEquals(ms("2026-11-01T05:30:34Z"), event.getTsMs());
    assertEquals(1234, event.getPid());
    assertEquals("", event.getRole());
    assertEquals(LogEvent.Level.LEVEL_UNSPECIFIED, event.getLevel());
    assertEquals("Ready to accept connections", event.getMessage());

    LogEvent december = parser.parse("Dec 31 23:59:59 cache-7 redis: Saving...",
        ms("2027-01-01T00:00:10Z")).build();
    assertEquals(ms("2026-12-31T23:59:59Z"), december.getTsMs());
    assertEquals(0, december.getPid());
  }

  @Test
  void rfc5424MessageOnlyTakesLevelFromThePriority() {
    LogLineParser parser = new LogLineParser(SHANGHAI);
    LogEvent info = parser.parse("<30>1 2026-11-21T05:30:34.123+00:00 host redis-server 1234 - - "
        + "Ready to accept connections", 0).build();

    assertTrue(info.getParsed());
    assertEquals("syslog", info.getWrapper());
    assertEquals(ms("2026-11-21T05:30:34.123Z"), info.getTsMs());
    assertEquals(1234, info.getPid());
    assertEquals(LogEvent.Level.VERBOSE, info.getLevel()); // severity 6 = LOG_INFO = Redis VERBOSE
    assertEquals("Ready to accept connections", info.getMessage());

    LogEvent warning = parser.parse("<28>1 2026-11-21T05:30:34.123+01:00 host redis-server 1234 "
        + "- [origin ip=\"10.0.0.1\" x=\"a\\]b\"] \uFEFFCan't save in background: fork: Cannot "
        + "allocate memory", 0).build();
    assertEquals(LogEvent.Level.WARNING, warning.getLevel());
    assertEquals(ms("2026-11-21T04:30:34.123Z"), warning.getTsMs());
    assertEquals("Can't save in background: fork: Cannot allocate memory", warning.getMessage());
  }

  @Test
  void rfc5424AroundAFullRedisLine() {
    LogEvent event = new LogLineParser(ZoneOffset.UTC).parse("<29>1 2026-11-21T05:30:34.123456Z "
        + "host redis-server 1234 - - 1234:S 21 Nov 2026 05:30:34.123 * Connecting to MASTER "
        + "10.0.0.1:6379", 0).build();

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
    LogEvent event = new LogLineParser(ZoneOffset.UTC).parse(
        "2026-11-21T13:30:34.123456+08:00 cache-7 redis-server[1234]: 1234:M 21 Nov 2026 "
            + "13:30:34.123 * Background saving started by pid 99", 0).build();

    assertEquals("syslog", event.getWrapper());
    assertEquals(ms("2026-11-21T05:30:34.123Z"), event.getTsMs());
    assertEquals(1234, event.getPid());
    assertEquals("Background saving started by pid 99", event.getMessage());
  }

  @Test
  void journalctlShortIsoAndShortPreciseAreJournald() {
    LogLineParser parser = new LogLineParser(ZoneOffset.UTC);
    LogEvent iso = parser.parse("2026-11-21T05:30:34+0000 cache-7 redis-server[1234]: "
        + "1234:M 21 Nov 2026 05:30:34.123 * Ready to accept connections", 0).build();
    assertEquals("journald", iso.getWrapper());
    assertEquals(ms("2026-11-21T05:30:34Z"), iso.getTsMs());
    assertEquals("Ready to accept connections", iso.getMessage());

    LogEvent precise = parser.parse("Nov 21 05:30:34.123456 cache-7 redis-server[1234]: "
        + "Ready to accept connections", ms("2026-11-22T00:00:00Z")).build();
    assertEquals("journald", precise.getWrapper());
    assertEquals(ms("2026-11-21T05:30:34.123Z"), precise.getTsMs());
    assertEquals(1234, precise.getPid());

    LogEvent preciseIso = parser.parse("2026-11-21T05:30:34.123456-0500 cache-7 "
        + "redis-server[1234]: DB saved on disk", 0).build();
    assertEquals("journald", preciseIso.getWrapper());
    assertEquals(ms("2026-11-21T10:30:34.123Z"), preciseIso.getTsMs());
  }

  @Test
  void journalctlBannerLinesAreNotParsed() {
    LogLineParser parser = new LogLineParser(ZoneOffset.UTC);
    for (String line : List.of("-- Logs begin at Sat 2026-11-21 05:00:00 UTC. --",
        "-- Boot 3a1f2b0c4d5e6f708192a3b4c5d6e7f8 --", "-- No entries --")) {
      assertFalse(parser.parse(line, 1).build().getParsed(), line);
    }
  }

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
    LogEvent event = new LogLineParser(ZoneOffset.UTC).parse("{\"log\":\"chown: changing "
        + "ownership of '/data': Read-only file system\\n\",\"stream\":\"stderr\","
        + "\"time\":\"2026-11-21T05:30:34.5Z\"}", 0).build();

    assertTrue(event.getParsed());
    assertEquals("docker-json", event.getWrapper());
    assertEquals(ms("2026-11-21T05:30:34.500Z"), event.getTsMs());
    assertEquals("chown: changing ownership of '/data': Read-only file system", event.getMessage());
    assertEquals(LogEvent.Level.LEVEL_UNSPECIFIED, event.getLevel());
  }

  @Test
  void brokenDockerJsonIsKeptUnparsed() {
    LogLineParser parser = new LogLineParser(ZoneOffset.UTC);
    for (String line : List.of("{\"log\":\"1:M 21 Nov 2026 05:30:34.123 * x",
        "{\"log\":\"bad \\q escape\",\"time\":\"2026-11-21T05:30:34Z\"}",
        "{\"log\":\"x\\u12\",\"time\":\"2026-11-21T05:30:34Z\"}",
        "{\"stream\":\"stdout\"}", "{}", "{", "{\"log\":1}",
        "{\"log\":\"x\",\"time\":\"2026-11-21T05:30:34Z\"} trailing")) {
      LogEvent event = parser.parse(line, 9L).build();
      assertFalse(event.getParsed(), line);
      assertEquals(line, event.getMessage());
    }
  }

  @ParameterizedTest
  // not @CsvSource: it trims control characters, ESC included
  @ValueSource(strings = {
      "redis_1  | 1:M 21 Nov 2026 05:30:34.123 * Ready to accept connections",
      "redis-1  | 1:M 21 Nov 2026 05:30:34.123 * Ready to accept connections",
      "cache.redis-primary-1 | 1:M 21 Nov 2026 05:30:34.123 * Ready to accept connections",
      "\u001b[36mredis_1  |\u001b[0m 1:M 21 Nov 2026 05:30:34.123 * Ready to accept connections",
      "\u001b[36mredis-1  | \u001b[0m1:M 21 Nov 2026 05:30:34.123 * Ready to accept connections",
      "\u001b[1;32mredis-1\u001b[0m  | 1:M 21 Nov 2026 05:30:34.123 * Ready to accept connections"})
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
    LogEvent event = new LogLineParser(SHANGHAI).parse("redis-1  | 2026-11-21T05:30:34.987654321Z "
        + "1:C 21 Nov 2026 05:30:34.986 # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo", 0).build();

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

  // --- garbage -----------------------------------------------------------------------------------

  @Test
  void garbageNeverThrowsAndIsKeptRaw() {
    LogLineParser parser = new LogLineParser(BERLIN);
    Random random = new Random(42);
    String megabyte = "x".repeat(1 << 20);
    List<String> fixed = new java.util.ArrayList<>(List.of("", " ", "\t", "\r", "\u0000",
        "12345", "[", "[123]", "1:", "1:M", "1:M ", "<", "<999>1 x", "<13>", "{", "{\"log\"",
        "Nov", "Nov 21", "2026-11-21T", "\u001b[", "\u001b[36m", megabyte, "1:M " + megabyte,
        "{\"log\":\"" + megabyte + "\"}", "Nov 21 05:30:34 " + megabyte));
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
    assertEquals("420:M 14 Sep 15:56:27.067 # Can't save in background: fork: Cannot allocate memory",
        entries.get(0));
    assertEquals("420:M 14 Sep 15:56:57.002 * 10000 changes in 60 seconds. Saving...",
        entries.get(9));
  }

  @Test
  void splitKeepsLeadingTextAndLeavesOrdinaryLinesAlone() {
    assertEquals(List.of("log:", "1:M 21 Nov 2026 05:30:34.123 * a", "[9] 14 Nov 07:01:22.119 # b"),
        LogLineParser.splitRunTogether(
            "log:  1:M 21 Nov 2026 05:30:34.123 * a [9] 14 Nov 07:01:22.119 # b"));
    String clientLine = "12345:M 18 Aug 12:51:54.071 # Client id=2 addr=10.242.117.36:21949 fd=5 "
        + "name= age=5100 idle=0 flags=S db=0 cmd=replconf scheduled to be closed ASAP";
    assertEquals(List.of(clientLine), LogLineParser.splitRunTogether(clientLine));
    assertEquals(List.of("\t[1] 03 May 17:58:51.215 * x"),
        LogLineParser.splitRunTogether("\t[1] 03 May 17:58:51.215 * x"));
    assertEquals(List.of("no entries here 12 at all"),
        LogLineParser.splitRunTogether("no entries here 12 at all"));
    assertEquals(List.of(""), LogLineParser.splitRunTogether(""));
    assertEquals(2, LogLineParser.splitRunTogether(
        "1:M 21 Nov 2026 05:30:34.123 * a 1:signal-handler (1700000000) Received SIGTERM").size());
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
