package io.redwatch.agent.tailing;

import static io.redwatch.agent.tailing.Chars.charAt;
import static io.redwatch.agent.tailing.Chars.isDigit;

/**
 * Syslog and journalctl lines: {@code Nov 21 05:30:34 host ident[pid]: …} (BSD) and
 * {@code 2026-11-21T05:30:34.123456+00:00 host ident[pid]: …} (rsyslog high precision), each with
 * an optional {@code <PRI>} prefix; {@code <PRI>1 …} is handed to {@link Rfc5424Wrapper}.
 *
 * <p>journalctl writes the same shape, so one parse serves both; only the label differs. It is
 * "journald" for a timestamp only journalctl writes: an ISO timestamp whose offset has no colon
 * ({@code -o short-iso} and {@code short-iso-precise} before systemd 255:
 * {@code 2026-11-21T05:30:34+0000}) or a BSD timestamp with fractional seconds
 * ({@code -o short-precise}). Everything else is "syslog", including output no rule can tell apart
 * from syslog's: journalctl's default {@code short} (byte for byte BSD syslog) and short-iso from
 * systemd 255 on, which writes RFC 3339 offsets ({@code +00:00}) like rsyslog.
 */
final class SyslogWrapper {

    private final LogZone zone;
    private final InnerLine inner;
    private final Rfc5424Wrapper rfc5424;

    SyslogWrapper(LogZone zone, InnerLine inner) {
        this.zone = zone;
        this.inner = inner;
        this.rfc5424 = new Rfc5424Wrapper(zone, inner);
    }

    boolean parse(String s, int p, long ref, LineFields f) {
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
                return rfc5424.parse(s, i + 2, ref, f, priority);
            }
        }
        WrapperStamp stamp = new WrapperStamp();
        boolean journald;
        int afterStamp;
        if (isDigit(charAt(s, i))) {
            afterStamp = stamp.readIso(s, i, zone);
            journald = afterStamp > 0 && stamp.hasOffset && !stamp.offsetColon;
        } else {
            afterStamp = stamp.readBsd(s, i, ref, zone);
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
        return inner.read(s, msg, ref, f, stamp, pid, priority);
    }
}
