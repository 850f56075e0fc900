package io.redwatch.agent.tailing;

import static io.redwatch.agent.tailing.Chars.isDigit;
import static io.redwatch.agent.tailing.Chars.skipBlanks;

import io.redwatch.proto.v1.LogEvent;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Parses one line of a Redis log into a {@link LogEvent} builder. Pure (no I/O, no clock): the
 * caller passes the time it read the line. Hand-written scanning, no regular expressions: this
 * runs for every line the agent tails.
 *
 * <p>This class only dispatches: {@link RedisLineScanner} reads Redis's own formats (2.x to 7.x and
 * signal-handler lines), {@link LogZone} resolves their local times (the parser's zone, the year
 * of a line without one inferred from {@code referenceMs}), and each wrapper has its own class:
 * {@link SyslogWrapper} ("syslog" and "journald"), {@link Rfc5424Wrapper}, {@link DockerJsonWrapper}
 * ("docker-json") and {@link ComposeWrapper} ("compose"). {@link InnerLine} says which timestamp
 * wins when a wrapper has its own. Lines pasted from documents are often indented, so leading
 * spaces and tabs are ignored.
 *
 * <p>Anything else gives {@code parsed = false}: message = the line, ts = referenceMs,
 * {@code ts_from_log = false}. The parser never throws; the instance is thread-safe.
 */
public final class LogLineParser {

    private static final Logger LOG = Logger.getLogger(LogLineParser.class.getName());

    private final LogZone zone;
    private final InnerLine inner;
    private final DockerJsonWrapper dockerJson;
    private final ComposeWrapper compose;
    private final SyslogWrapper syslog;

    public LogLineParser(ZoneId zone) {
        this.zone = new LogZone(zone);
        this.inner = new InnerLine(this.zone);
        this.dockerJson = new DockerJsonWrapper(this.zone, inner);
        this.compose = new ComposeWrapper(this.zone, inner);
        this.syslog = new SyslogWrapper(this.zone, inner);
    }

    public ZoneId zone() {
        return zone.zone();
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
            LineFields f = new LineFields();
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
        LineFields scratch = new LineFields();
        List<Integer> starts = new ArrayList<>();
        int firstText = skipBlanks(line, 0);
        for (int i = firstText + 1; i < line.length(); i++) {
            char before = line.charAt(i - 1);
            char c = line.charAt(i);
            if ((before == ' ' || before == '\t')
                    && (isDigit(c) || c == '[')
                    && RedisLineScanner.scan(line, i, scratch) >= 0) {
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

    private boolean parseAny(String s, long ref, LineFields f) {
        int p = skipBlanks(s, 0);
        if (p >= s.length()) {
            return false;
        }
        char c = s.charAt(p);
        if (c == '{') {
            return dockerJson.parse(s, p, ref, f);
        }
        if ((isDigit(c) || c == '[') && inner.redisAt(s, p, ref, f)) {
            return true;
        }
        return syslog.parse(s, p, ref, f) || compose.parse(s, p, ref, f);
    }
}
