package io.redwatch.agent.tailing;

import io.redwatch.proto.v1.LogEvent;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Parses one line of a Redis log into a {@link LogEvent} builder. Pure (no I/O, no clock): the
 * caller passes the time it read the line. Hand-written scanning, no regular expressions: this
 * runs for every line the agent tails.
 *
 * <h2>Redis formats</h2>
 * <pre>
 * [4018] 14 Nov 07:01:22.119 * Server started, Redis version 2.2.12     2.x (also without .ms)
 * 1838:M 16 Aug 01:07:39.319 # Error ...                               3.x to 5.x, roles M S C X
 * 1:M 21 Nov 2026 05:30:34.123 * Ready to accept connections           6.x and later
 * 1:signal-handler (1700000000) Received SIGTERM scheduling shutdown... any version; unix seconds
 * </pre>
 * Level characters: '.' DEBUG, '-' VERBOSE, '*' NOTICE, '#' WARNING. Lines pasted from
 * documents are often indented, so leading spaces and tabs are ignored.
 *
 * <p><b>Year inference</b> (formats without a year): the timestamp is local time in the parser's
 * zone; the year is the latest one that does not put the timestamp more than two days after
 * {@code referenceMs}. In practice: the year of {@code referenceMs} in the zone, or the previous
 * one for a December line read in January, or (rarely) the next one for a line stamped just after
 * new year by a clock running slightly ahead of the reader's.
 *
 * <h2>Wrappers</h2>
 * Each is removed and the inner text parsed as above. The inner text may be a whole Redis line
 * or, with {@code syslog-enabled yes}, only the message; then the wrapper supplies the time and
 * the pid ({@code redis-server[1234]:}), and for RFC 5424 the level, mapped back through
 * Redis's own table (syslog debug, info, notice, warning = DEBUG, VERBOSE, NOTICE, WARNING).
 * <ul>
 *   <li>"syslog": {@code Nov 21 05:30:34 host ident[pid]: …} (BSD), {@code <30>1 2026-11-21T…+00:00
 *       host ident pid - - …} (RFC 5424), {@code 2026-11-21T05:30:34.123456+00:00 host ident[pid]: …}
 *       (rsyslog high precision). An optional {@code <PRI>} prefix is accepted on all of them.</li>
 *   <li>"journald": journalctl output whose timestamp only journalctl writes: an ISO timestamp whose
 *       offset has no colon ({@code -o short-iso} and {@code short-iso-precise} before systemd
 *       255: {@code 2026-11-21T05:30:34+0000}) or a BSD timestamp with fractional seconds
 *       ({@code -o short-precise}). Everything else is "syslog", including output no rule can
 *       tell apart from syslog's: journalctl's default {@code short} (byte for byte BSD syslog)
 *       and short-iso from systemd 255 on, which writes RFC 3339 offsets ({@code +00:00}) like
 *       rsyslog. The parsed fields are the same either way; only the label differs.</li>
 *   <li>"docker-json": one line of Docker's json-file driver; the "log" string is decoded.</li>
 *   <li>"compose": {@code redis_1  | …} or {@code redis-1  | …} as printed by docker-compose, with
 *       or without ANSI colours and with or without {@code --timestamps}. Because "name | text"
 *       is common in ordinary text, this prefix counts only when a Redis line or a timestamp
 *       follows it.</li>
 * </ul>
 * <b>Which timestamp wins:</b> a wrapper timestamp that carries a UTC offset (docker, RFC 5424,
 * RFC 3339, short-iso) names an exact instant and wins; this matters because containers usually
 * log in UTC whatever the host's zone. Otherwise the inner Redis line's own timestamp wins (it has
 * milliseconds), and a BSD syslog timestamp is used only for a message-only inner line. The pid,
 * role and level always come from the inner Redis line when it has them.
 *
 * <p>Anything else gives {@code parsed = false}: message = the line, ts = referenceMs,
 * {@code ts_from_log = false}. The parser never throws; the instance is thread-safe.
 */
public final class LogLineParser {

  private static final Logger LOG = Logger.getLogger(LogLineParser.class.getName());

  private static final long TWO_DAYS_MS = 2L * 24 * 3600 * 1000;
  private static final String[] ROLES = {"M", "S", "C", "X"};

  private final ZoneId zone;
  private final ZoneRules rules;
  /** The zone's offset in seconds when it never changes, else Integer.MIN_VALUE. */
  private final int fixedOffsetSeconds;
  /** Offset of the last local hour seen; replaced whole, so sharing between threads is safe. */
  private volatile HourOffset lastHour;

  public LogLineParser(ZoneId zone) {
    this.zone = zone;
    this.rules = zone.getRules();
    this.fixedOffsetSeconds = rules.isFixedOffset()
        ? rules.getOffset(Instant.EPOCH).getTotalSeconds() : Integer.MIN_VALUE;
  }

  public ZoneId zone() {
    return zone;
  }

  /**
   * Parses one line (without its line terminator; a trailing CR or LF is tolerated).
   *
   * @param line the line as read; null is treated as ""
   * @param referenceMs when the agent read the line: the year reference, and the timestamp of a
   *     line that has none
   */
  public LogEvent.Builder parse(String line, long referenceMs) {
    String text = line == null ? "" : line;
    LogEvent.Builder event = LogEvent.newBuilder().setRaw(text);
    try {
      Fields f = new Fields();
      if (parseAny(text, referenceMs, f)) {
        return f.fill(event, text);
      }
    } catch (RuntimeException e) {
      // A parser bug must cost one line's structure, never the line or the tailer.
      LOG.log(Level.FINE, "log line parser failed; the line is kept unparsed", e);
      event = LogEvent.newBuilder().setRaw(text);
    }
    return event.setParsed(false).setMessage(text).setTsMs(referenceMs).setTsFromLog(false);
  }

  /**
   * Splits a pasted physical line that holds several Redis log entries run together
   * ({@code 420:M 14 Sep 15:56:27.067 # Can't save ... 420:M 14 Sep 15:56:33.071 * 10000 ...})
   * before each Redis line start preceded by a blank, so each entry can be parsed alone. Text
   * before the first entry is its own element; a line without entries is returned as is. The
   * blanks separating entries are dropped; nothing else is.
   */
  public static List<String> splitRunTogether(String line) {
    if (line == null || line.isEmpty()) {
      return List.of(line == null ? "" : line);
    }
    Fields scratch = new Fields();
    List<Integer> starts = new ArrayList<>();
    int firstText = skipBlanks(line, 0);
    for (int i = firstText + 1; i < line.length(); i++) {
      char before = line.charAt(i - 1);
      char c = line.charAt(i);
      if ((before == ' ' || before == '\t') && (isDigit(c) || c == '[')
          && scanRedis(line, i, scratch) >= 0) {
        starts.add(i);
      }
    }
    if (starts.isEmpty()) {
      return List.of(line);
    }
    List<String> pieces = new ArrayList<>(starts.size() + 1);
    int from = 0;
    for (int start : starts) {
      int end = start;
      while (end > from && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
        end--;
      }
      if (end > from) {
        pieces.add(line.substring(from, end));
      }
      from = start;
    }
    pieces.add(line.substring(from));
    return pieces;
  }

  // ---------------------------------------------------------------------------------------------

  private boolean parseAny(String s, long ref, Fields f) {
    int p = skipBlanks(s, 0);
    if (p >= s.length()) {
      return false;
    }
    char c = s.charAt(p);
    if (c == '{') {
      return parseDockerJson(s, p, ref, f);
    }
    if ((isDigit(c) || c == '[') && parseRedis(s, p, ref, f)) {
      return true;
    }
    return parseSyslog(s, p, ref, f) || parseCompose(s, p, ref, f);
  }

  /** A whole Redis line at {@code p}, with its timestamp resolved. */
  private boolean parseRedis(String s, int p, long ref, Fields f) {
    if (scanRedis(s, p, f) < 0) {
      return false;
    }
    return resolveRedisTime(f, ref);
  }

  private boolean parseDockerJson(String s, int p, long ref, Fields f) {
    DockerJsonLine json = DockerJsonLine.parse(s, p);
    if (json == null || json.log == null) {
      return false;
    }
    String inner = stripLineEnd(json.log);
    Stamp stamp = new Stamp();
    boolean haveTime = json.time != null
        && parseIso(json.time, 0, stamp) == json.time.length();
    f.wrapper = "docker-json";
    return unwrap(inner, skipBlanks(inner, 0), ref, f, haveTime ? stamp : null, 0, 0);
  }

  private boolean parseCompose(String s, int p, long ref, Fields f) {
    int i = skipAnsi(s, p);
    int nameStart = i;
    while (i < s.length() && isServiceNameChar(s.charAt(i))) {
      i++;
    }
    if (i == nameStart) {
      return false;
    }
    i = skipAnsi(s, i);
    int spaces = i;
    while (i < s.length() && s.charAt(i) == ' ') {
      i++;
    }
    if (i == spaces || i >= s.length() || s.charAt(i) != '|') {
      return false;
    }
    i = skipAnsi(s, i + 1);
    if (i < s.length() && s.charAt(i) == ' ') {
      i++;
    }
    i = skipAnsi(s, i);
    // docker compose logs --timestamps puts an RFC 3339 time before the container's line.
    Stamp stamp = null;
    Stamp candidate = new Stamp();
    int afterStamp = isDigit(charAt(s, i)) ? parseIso(s, i, candidate) : -1;
    if (afterStamp > 0 && charAt(s, afterStamp) == ' ') {
      stamp = candidate;
      i = afterStamp + 1;
    }
    f.wrapper = "compose";
    if (stamp == null) {
      return scanRedis(s, i, f) >= 0 && resolveRedisTime(f, ref);
    }
    return unwrap(s, i, ref, f, stamp, 0, 0);
  }

  private boolean parseSyslog(String s, int p, long ref, Fields f) {
    int i = p;
    int priority = -1;
    if (s.charAt(i) == '<') {
      int close = i + 1;
      int value = 0;
      while (close < s.length() && close - i <= 4 && isDigit(s.charAt(close))) {
        value = value * 10 + (s.charAt(close) - '0');
        close++;
      }
      if (close == i + 1 || close >= s.length() || s.charAt(close) != '>' || value > 191) {
        return false;
      }
      priority = value;
      i = close + 1;
      if (charAt(s, i) == '1' && charAt(s, i + 1) == ' ') {
        return parseRfc5424(s, i + 2, ref, f, priority);
      }
    }
    Stamp stamp = new Stamp();
    boolean journald;
    int afterStamp;
    if (isDigit(charAt(s, i))) {
      afterStamp = parseIso(s, i, stamp);
      journald = afterStamp > 0 && stamp.hasOffset && !stamp.offsetColon;
    } else {
      afterStamp = parseBsdStamp(s, i, ref, stamp);
      journald = afterStamp > 0 && stamp.fractionDigits > 0;
    }
    if (afterStamp < 0 || charAt(s, afterStamp) != ' ') {
      return false;
    }
    int hostStart = afterStamp + 1;
    int hostEnd = s.indexOf(' ', hostStart);
    if (hostEnd <= hostStart) {
      return false;
    }
    // TAG: ident, optionally [pid], then ':' and a space.
    int tagStart = hostEnd + 1;
    int t = tagStart;
    while (t < s.length()) {
      char c = s.charAt(t);
      if (c == '[' || c == ':' || c == ' ') {
        break;
      }
      t++;
    }
    if (t == tagStart || t >= s.length()) {
      return false;
    }
    int pid = 0;
    if (s.charAt(t) == '[') {
      int close = t + 1;
      long value = 0;
      while (close < s.length() && isDigit(s.charAt(close)) && value <= Integer.MAX_VALUE) {
        value = value * 10 + (s.charAt(close) - '0');
        close++;
      }
      if (close == t + 1 || charAt(s, close) != ']' || value > Integer.MAX_VALUE) {
        return false;
      }
      pid = (int) value;
      t = close + 1;
    }
    if (charAt(s, t) != ':') {
      return false;
    }
    int msg = charAt(s, t + 1) == ' ' ? t + 2 : t + 1;
    f.wrapper = journald ? "journald" : "syslog";
    return unwrap(s, msg, ref, f, stamp, pid, priority);
  }

  private boolean parseRfc5424(String s, int i, long ref, Fields f, int priority) {
    Stamp stamp = new Stamp();
    int afterStamp;
    if (charAt(s, i) == '-') {
      stamp = null; // NILVALUE: the message's own time, if any, will do
      afterStamp = i + 1;
    } else {
      afterStamp = parseIso(s, i, stamp);
    }
    if (afterStamp < 0 || charAt(s, afterStamp) != ' ') {
      return false;
    }
    int hostEnd = s.indexOf(' ', afterStamp + 1);
    int appEnd = hostEnd < 0 ? -1 : s.indexOf(' ', hostEnd + 1);
    int procEnd = appEnd < 0 ? -1 : s.indexOf(' ', appEnd + 1);
    int msgIdEnd = procEnd < 0 ? -1 : s.indexOf(' ', procEnd + 1);
    if (msgIdEnd < 0) {
      return false;
    }
    int pid = 0;
    for (int k = appEnd + 1; k < procEnd; k++) {
      char c = s.charAt(k);
      if (!isDigit(c) || pid > 100_000_000) {
        pid = 0; // PROCID is free text; only a number is a pid
        break;
      }
      pid = pid * 10 + (c - '0');
    }
    int sd = msgIdEnd + 1;
    int afterSd;
    if (charAt(s, sd) == '-') {
      afterSd = sd + 1;
    } else if (charAt(s, sd) == '[') {
      afterSd = skipStructuredData(s, sd);
      if (afterSd < 0) {
        return false;
      }
    } else {
      return false;
    }
    int msg = afterSd;
    if (msg < s.length()) {
      if (s.charAt(msg) != ' ') {
        return false;
      }
      msg++;
      if (charAt(s, msg) == '\uFEFF') {
        msg++; // RFC 5424 allows a BOM before a UTF-8 message
      }
    }
    f.wrapper = "syslog";
    return unwrap(s, msg, ref, f, stamp, pid, priority);
  }

  /**
   * The text at {@code p} inside a wrapper: a whole Redis line, else a bare message. A wrapper
   * stamp that names an exact instant wins over the inner line's own time.
   */
  private boolean unwrap(String s, int p, long ref, Fields f, Stamp stamp, int pid, int priority) {
    String wrapper = f.wrapper;
    if (scanRedis(s, p, f) >= 0 && resolveRedisTime(f, ref)) {
      if (stamp != null && stamp.hasOffset) {
        f.tsMs = stamp.epochMs;
      }
      if (f.pid == 0) {
        f.pid = pid;
      }
      f.wrapper = wrapper;
      return true;
    }
    if (stamp == null) {
      return false;
    }
    f.reset();
    f.wrapper = wrapper;
    f.tsMs = stamp.epochMs;
    f.pid = pid;
    f.level = priority < 0 ? 0 : levelFromSyslogSeverity(priority & 7);
    f.text = s;
    f.messageStart = p;
    return true;
  }

  /** Inverse of Redis's syslogLevelMap {LOG_DEBUG, LOG_INFO, LOG_NOTICE, LOG_WARNING}. */
  private static int levelFromSyslogSeverity(int severity) {
    switch (severity) {
      case 7: return LogEvent.Level.DEBUG_VALUE;
      case 6: return LogEvent.Level.VERBOSE_VALUE;
      case 5: return LogEvent.Level.NOTICE_VALUE;
      case 4: return LogEvent.Level.WARNING_VALUE;
      default: return 0;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The Redis line itself

  /**
   * Scans a Redis line header at {@code p} into {@code f} (no time zone work) and returns the
   * index where the message starts, or -1.
   */
  private static int scanRedis(String s, int p, Fields f) {
    f.reset();
    f.text = s;
    int n = s.length();
    if (p >= n) {
      return -1;
    }
    int i;
    if (s.charAt(p) == '[') {
      i = scanPid(s, p + 1, f);
      if (i < 0 || charAt(s, i) != ']' || charAt(s, i + 1) != ' ') {
        return -1;
      }
      i += 2;
      f.role = "";
    } else {
      i = scanPid(s, p, f);
      if (i < 0 || charAt(s, i) != ':') {
        return -1;
      }
      i++;
      if (s.startsWith("signal-handler (", i)) {
        return scanSignalHandler(s, i + 16, f);
      }
      int role = roleIndex(charAt(s, i));
      if (role < 0 || charAt(s, i + 1) != ' ') {
        return -1;
      }
      f.role = ROLES[role];
      i += 2;
    }
    i = scanDate(s, i, f);
    if (i < 0) {
      return -1;
    }
    if (charAt(s, i) != ' ') {
      return -1;
    }
    int level = levelFromChar(charAt(s, i + 1));
    if (level == 0) {
      return -1;
    }
    f.level = level;
    i += 2;
    if (i < n) {
      if (s.charAt(i) != ' ') {
        return -1;
      }
      i++;
    }
    f.messageStart = i;
    return i;
  }

  private static int scanSignalHandler(String s, int i, Fields f) {
    long seconds = 0;
    int start = i;
    while (i < s.length() && isDigit(s.charAt(i)) && i - start < 12) {
      seconds = seconds * 10 + (s.charAt(i) - '0');
      i++;
    }
    if (i == start || charAt(s, i) != ')') {
      return -1;
    }
    i++;
    if (i < s.length()) {
      if (s.charAt(i) != ' ') {
        return -1;
      }
      i++;
    }
    f.role = "";
    f.epochSeconds = seconds;
    f.messageStart = i;
    return i;
  }

  private static int scanPid(String s, int i, Fields f) {
    long pid = 0;
    int start = i;
    while (i < s.length() && isDigit(s.charAt(i))) {
      pid = pid * 10 + (s.charAt(i) - '0');
      if (pid > Integer.MAX_VALUE) {
        return -1;
      }
      i++;
    }
    if (i == start) {
      return -1;
    }
    f.pid = (int) pid;
    return i;
  }

  /** {@code dd Mon [yyyy ]hh:mm:ss[.fff]}, day of one or two digits. */
  private static int scanDate(String s, int i, Fields f) {
    int day = 0;
    int start = i;
    while (i < s.length() && isDigit(s.charAt(i)) && i - start < 2) {
      day = day * 10 + (s.charAt(i) - '0');
      i++;
    }
    if (i == start || charAt(s, i) != ' ') {
      return -1;
    }
    int month = monthAt(s, i + 1);
    if (month == 0 || charAt(s, i + 4) != ' ') {
      return -1;
    }
    i += 5;
    int year = -1;
    if (isDigit(charAt(s, i)) && isDigit(charAt(s, i + 1)) && isDigit(charAt(s, i + 2))
        && isDigit(charAt(s, i + 3)) && charAt(s, i + 4) == ' ') {
      year = digits(s, i, 4);
      i += 5;
    }
    int end = scanClock(s, i, f);
    if (end < 0 || day < 1 || day > 31) {
      return -1;
    }
    f.year = year;
    f.month = month;
    f.day = day;
    return end;
  }

  /** {@code hh:mm:ss} with optional {@code .fraction} (1 to 9 digits) into f. */
  private static int scanClock(String s, int i, Fields f) {
    if (!(isDigit(charAt(s, i)) && isDigit(charAt(s, i + 1)) && charAt(s, i + 2) == ':'
        && isDigit(charAt(s, i + 3)) && isDigit(charAt(s, i + 4)) && charAt(s, i + 5) == ':'
        && isDigit(charAt(s, i + 6)) && isDigit(charAt(s, i + 7)))) {
      return -1;
    }
    f.hour = digits(s, i, 2);
    f.minute = digits(s, i + 3, 2);
    f.second = digits(s, i + 6, 2);
    if (f.hour > 23 || f.minute > 59 || f.second > 60) {
      return -1;
    }
    i += 8;
    f.nanos = 0;
    f.fractionDigits = 0;
    if (charAt(s, i) == '.' || charAt(s, i) == ',') {
      int start = i + 1;
      int j = start;
      int value = 0;
      while (j < s.length() && isDigit(s.charAt(j)) && j - start < 9) {
        value = value * 10 + (s.charAt(j) - '0');
        j++;
      }
      if (j == start) {
        return -1;
      }
      while (isDigit(charAt(s, j))) {
        j++; // beyond nanoseconds: ignore the rest
      }
      f.fractionDigits = Math.min(j - start, 9);
      for (int k = f.fractionDigits; k < 9; k++) {
        value *= 10;
      }
      f.nanos = value;
      i = j;
    }
    return i;
  }

  private boolean resolveRedisTime(Fields f, long ref) {
    if (f.epochSeconds >= 0) {
      f.tsMs = f.epochSeconds * 1000;
      return true;
    }
    if (f.year >= 0) {
      if (f.day > daysInMonth(f.year, f.month)) {
        return false;
      }
      f.tsMs = localToEpochMs(f.year, f.month, f.day, f);
      return true;
    }
    long ts = inferYear(f, ref);
    if (ts == Long.MIN_VALUE) {
      return false;
    }
    f.tsMs = ts;
    return true;
  }

  /**
   * See the class comment: the latest year, from the one after the reference's down to four
   * before it (29 February), that exists for the date and is at most two days ahead.
   */
  private long inferYear(Fields f, long ref) {
    long refDay = localEpochDay(ref);
    int refYear = yearFromEpochDay(refDay);
    // Next year can only be right for early January read in the last days of December; trying it
    // only then keeps the per-hour offset cache warm.
    int latest = f.month == 1 && refDay >= epochDay(refYear, 12, 29) ? refYear + 1 : refYear;
    for (int year = latest; year >= refYear - 4; year--) {
      if (f.day <= daysInMonth(year, f.month)) {
        long ts = localToEpochMs(year, f.month, f.day, f);
        if (ts <= ref + TWO_DAYS_MS) {
          return ts;
        }
      }
    }
    return Long.MIN_VALUE;
  }

  private long localEpochDay(long epochMs) {
    int offset = fixedOffsetSeconds != Integer.MIN_VALUE ? fixedOffsetSeconds
        : rules.getOffset(Instant.ofEpochMilli(epochMs)).getTotalSeconds();
    return Math.floorDiv(Math.floorDiv(epochMs, 1000) + offset, 86400);
  }

  private long localToEpochMs(int year, int month, int day, Fields f) {
    long localSeconds = epochDay(year, month, day) * 86400
        + f.hour * 3600L + f.minute * 60L + f.second;
    return (localSeconds - offsetForLocal(localSeconds)) * 1000 + f.nanos / 1_000_000;
  }

  /**
   * The zone's offset for a local time. Cached per local hour because java.time's lookup
   * allocates; an hour that contains a transition is never cached.
   */
  private int offsetForLocal(long localSeconds) {
    if (fixedOffsetSeconds != Integer.MIN_VALUE) {
      return fixedOffsetSeconds;
    }
    long hour = Math.floorDiv(localSeconds, 3600);
    HourOffset cached = lastHour;
    if (cached != null && cached.hour == hour) {
      return cached.offsetSeconds;
    }
    int offset = lookupOffset(localSeconds);
    int atStart = lookupOffset(hour * 3600);
    int atEnd = lookupOffset(hour * 3600 + 3599);
    if (offset == atStart && offset == atEnd) {
      lastHour = new HourOffset(hour, offset);
    }
    return offset;
  }

  /** In a gap (clocks jump forward) the offset before it; in an overlap the earlier offset. */
  private int lookupOffset(long localSeconds) {
    LocalDateTime local = LocalDateTime.ofEpochSecond(localSeconds, 0, ZoneOffset.UTC);
    List<ZoneOffset> valid = rules.getValidOffsets(local);
    if (!valid.isEmpty()) {
      return valid.get(0).getTotalSeconds();
    }
    ZoneOffsetTransition gap = rules.getTransition(local);
    return gap.getOffsetBefore().getTotalSeconds();
  }

  // ---------------------------------------------------------------------------------------------
  // Wrapper timestamps

  /**
   * RFC 3339 / ISO 8601 {@code yyyy-mm-ddThh:mm:ss[.f][Z|±hh:mm|±hhmm]}; without an offset the
   * parser's zone is assumed. Returns the index after it, or -1.
   */
  private int parseIso(String s, int i, Stamp stamp) {
    if (!(isDigit(charAt(s, i)) && isDigit(charAt(s, i + 1)) && isDigit(charAt(s, i + 2))
        && isDigit(charAt(s, i + 3)) && charAt(s, i + 4) == '-'
        && isDigit(charAt(s, i + 5)) && isDigit(charAt(s, i + 6)) && charAt(s, i + 7) == '-'
        && isDigit(charAt(s, i + 8)) && isDigit(charAt(s, i + 9)) && charAt(s, i + 10) == 'T')) {
      return -1;
    }
    int year = digits(s, i, 4);
    int month = digits(s, i + 5, 2);
    int day = digits(s, i + 8, 2);
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
      return -1;
    }
    Fields clock = new Fields();
    int j = scanClock(s, i + 11, clock);
    if (j < 0) {
      return -1;
    }
    long localSeconds = epochDay(year, month, day) * 86400
        + clock.hour * 3600L + clock.minute * 60L + clock.second;
    stamp.fractionDigits = clock.fractionDigits;
    stamp.hasOffset = false;
    stamp.offsetColon = false;
    int offset;
    char c = charAt(s, j);
    if (c == 'Z' || c == 'z') {
      offset = 0;
      stamp.hasOffset = true;
      stamp.offsetColon = true; // 'Z' is RFC 3339, not journalctl's +0000
      j++;
    } else if (c == '+' || c == '-') {
      if (!(isDigit(charAt(s, j + 1)) && isDigit(charAt(s, j + 2)))) {
        return -1;
      }
      int hours = digits(s, j + 1, 2);
      int k = j + 3;
      if (charAt(s, k) == ':') {
        stamp.offsetColon = true;
        k++;
      }
      if (!(isDigit(charAt(s, k)) && isDigit(charAt(s, k + 1)))) {
        return -1;
      }
      int minutes = digits(s, k, 2);
      if (hours > 18 || minutes > 59) {
        return -1;
      }
      offset = (hours * 3600 + minutes * 60) * (c == '-' ? -1 : 1);
      stamp.hasOffset = true;
      j = k + 2;
    } else {
      offset = offsetForLocal(localSeconds);
    }
    stamp.epochMs = (localSeconds - offset) * 1000 + clock.nanos / 1_000_000;
    return j;
  }

  /** {@code Mon dd hh:mm:ss[.ffffff]} (day space-padded or not); year inferred like Redis's. */
  private int parseBsdStamp(String s, int i, long ref, Stamp stamp) {
    int month = monthAt(s, i);
    if (month == 0 || charAt(s, i + 3) != ' ') {
      return -1;
    }
    int j = i + 4;
    if (charAt(s, j) == ' ') {
      j++;
    }
    int day = 0;
    int start = j;
    while (isDigit(charAt(s, j)) && j - start < 2) {
      day = day * 10 + (s.charAt(j) - '0');
      j++;
    }
    if (j == start || day < 1 || day > 31 || charAt(s, j) != ' ') {
      return -1;
    }
    Fields f = new Fields();
    int end = scanClock(s, j + 1, f);
    if (end < 0) {
      return -1;
    }
    f.month = month;
    f.day = day;
    long ts = inferYear(f, ref);
    if (ts == Long.MIN_VALUE) {
      return -1;
    }
    stamp.epochMs = ts;
    stamp.hasOffset = false;
    stamp.fractionDigits = f.fractionDigits;
    return end;
  }

  // ---------------------------------------------------------------------------------------------
  // Small pieces

  private static int skipStructuredData(String s, int i) {
    while (charAt(s, i) == '[') {
      i++;
      while (i < s.length() && s.charAt(i) != ']') {
        if (s.charAt(i) == '\\') {
          i++;
        } else if (s.charAt(i) == '"') {
          i++;
          while (i < s.length() && s.charAt(i) != '"') {
            if (s.charAt(i) == '\\') {
              i++;
            }
            i++;
          }
        }
        i++;
      }
      if (i >= s.length()) {
        return -1;
      }
      i++;
    }
    return i;
  }

  /** Skips ANSI escape sequences (ESC '[' parameters final-byte) at i. */
  private static int skipAnsi(String s, int i) {
    while (charAt(s, i) == '\u001b' && charAt(s, i + 1) == '[') {
      int j = i + 2;
      while (j < s.length() && (isDigit(s.charAt(j)) || s.charAt(j) == ';')) {
        j++;
      }
      if (j >= s.length() || s.charAt(j) < 0x40 || s.charAt(j) > 0x7e) {
        return i;
      }
      i = j + 1;
    }
    return i;
  }

  private static boolean isServiceNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c)
        || c == '_' || c == '-' || c == '.';
  }

  private static String stripLineEnd(String s) {
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
      end--;
    }
    return end == s.length() ? s : s.substring(0, end);
  }

  private static int skipBlanks(String s, int i) {
    while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
      i++;
    }
    return i;
  }

  private static char charAt(String s, int i) {
    return i >= 0 && i < s.length() ? s.charAt(i) : '\0';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static int digits(String s, int i, int count) {
    int value = 0;
    for (int k = i; k < i + count; k++) {
      value = value * 10 + (s.charAt(k) - '0');
    }
    return value;
  }

  private static int roleIndex(char c) {
    switch (c) {
      case 'M': return 0;
      case 'S': return 1;
      case 'C': return 2;
      case 'X': return 3;
      default: return -1;
    }
  }

  private static int levelFromChar(char c) {
    switch (c) {
      case '.': return LogEvent.Level.DEBUG_VALUE;
      case '-': return LogEvent.Level.VERBOSE_VALUE;
      case '*': return LogEvent.Level.NOTICE_VALUE;
      case '#': return LogEvent.Level.WARNING_VALUE;
      default: return 0;
    }
  }

  /** 1-12 for an English month abbreviation at i (as C's %b writes it), else 0. */
  private static int monthAt(String s, int i) {
    if (i + 3 > s.length()) {
      return 0;
    }
    int key = (Character.toLowerCase(s.charAt(i)) << 16)
        | (Character.toLowerCase(s.charAt(i + 1)) << 8) | Character.toLowerCase(s.charAt(i + 2));
    switch (key) {
      case ('j' << 16) | ('a' << 8) | 'n': return 1;
      case ('f' << 16) | ('e' << 8) | 'b': return 2;
      case ('m' << 16) | ('a' << 8) | 'r': return 3;
      case ('a' << 16) | ('p' << 8) | 'r': return 4;
      case ('m' << 16) | ('a' << 8) | 'y': return 5;
      case ('j' << 16) | ('u' << 8) | 'n': return 6;
      case ('j' << 16) | ('u' << 8) | 'l': return 7;
      case ('a' << 16) | ('u' << 8) | 'g': return 8;
      case ('s' << 16) | ('e' << 8) | 'p': return 9;
      case ('o' << 16) | ('c' << 8) | 't': return 10;
      case ('n' << 16) | ('o' << 8) | 'v': return 11;
      case ('d' << 16) | ('e' << 8) | 'c': return 12;
      default: return 0;
    }
  }

  private static boolean isLeap(int year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  }

  private static int daysInMonth(int year, int month) {
    switch (month) {
      case 2: return isLeap(year) ? 29 : 28;
      case 4: case 6: case 9: case 11: return 30;
      default: return 31;
    }
  }

  /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
  static long epochDay(int year, int month, int day) {
    long y = month <= 2 ? year - 1 : year;
    long era = Math.floorDiv(y, 400);
    long yoe = y - era * 400;
    long mp = (month + 9) % 12;
    long doy = (153 * mp + 2) / 5 + day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
  }

  /** The year of a day counted from 1970-01-01 (H. Hinnant's civil_from_days, year only). */
  static int yearFromEpochDay(long days) {
    long z = days + 719468;
    long era = Math.floorDiv(z, 146097);
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long month = mp < 10 ? mp + 3 : mp - 9;
    return (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));
  }

  private static final class HourOffset {
    final long hour;
    final int offsetSeconds;

    HourOffset(long hour, int offsetSeconds) {
      this.hour = hour;
      this.offsetSeconds = offsetSeconds;
    }
  }

  /** A wrapper's timestamp. */
  private static final class Stamp {
    long epochMs;
    boolean hasOffset;
    boolean offsetColon;
    int fractionDigits;
  }

  /** What one parse found; one per call, so the parser itself stays free of per-line state. */
  private static final class Fields {
    String text;
    int messageStart;
    int pid;
    String role = "";
    int level;
    int year;
    int month;
    int day;
    int hour;
    int minute;
    int second;
    int nanos;
    int fractionDigits;
    long epochSeconds = -1;
    long tsMs;
    String wrapper = "";

    void reset() {
      text = null;
      messageStart = 0;
      pid = 0;
      role = "";
      level = 0;
      year = -1;
      month = 0;
      day = 0;
      epochSeconds = -1;
    }

    LogEvent.Builder fill(LogEvent.Builder event, String raw) {
      int end = text.length();
      while (end > messageStart && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
        end--;
      }
      return event
          .setParsed(true)
          .setTsMs(tsMs)
          .setTsFromLog(true)
          .setPid(pid)
          .setRole(role)
          .setLevelValue(level)
          .setMessage(messageStart == 0 && end == text.length() ? text
              : text.substring(Math.min(messageStart, end), end))
          .setWrapper(wrapper);
    }
  }
}
