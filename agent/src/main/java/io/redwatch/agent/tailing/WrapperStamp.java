package io.redwatch.agent.tailing;

import static io.redwatch.agent.tailing.Chars.charAt;
import static io.redwatch.agent.tailing.Chars.digits;
import static io.redwatch.agent.tailing.Chars.isDigit;
import static io.redwatch.agent.tailing.Chars.monthAt;

/**
 * A wrapper's timestamp (syslog, journald, docker, compose), and the two ways to read one: ISO
 * 8601 / RFC 3339 and BSD syslog's {@code Mon dd hh:mm:ss}. Which form it had and whether it
 * named an offset decide both the wrapper's label and whether it beats the inner line's own time.
 */
final class WrapperStamp {
    long epochMs;
    /** Names an exact instant (Z or ±hh[:]mm), so it wins over the inner line's local time. */
    boolean hasOffset;
    /** The offset was written RFC 3339 style ({@code +00:00} or Z), unlike journalctl's {@code +0000}. */
    boolean offsetColon;

    int fractionDigits;

    /**
     * Reads {@code yyyy-mm-ddThh:mm:ss[.f][Z|±hh:mm|±hhmm]} at i into this stamp; without an offset
     * the zone is assumed. Returns the index after it, or -1.
     */
    int readIso(String s, int i, LogZone zone) {
        if (!(isDigit(charAt(s, i))
                && isDigit(charAt(s, i + 1))
                && isDigit(charAt(s, i + 2))
                && isDigit(charAt(s, i + 3))
                && charAt(s, i + 4) == '-'
                && isDigit(charAt(s, i + 5))
                && isDigit(charAt(s, i + 6))
                && charAt(s, i + 7) == '-'
                && isDigit(charAt(s, i + 8))
                && isDigit(charAt(s, i + 9))
                && charAt(s, i + 10) == 'T')) {
            return -1;
        }
        int year = digits(s, i, 4);
        int month = digits(s, i + 5, 2);
        int day = digits(s, i + 8, 2);
        if (month < 1 || month > 12 || day < 1 || day > CivilDate.daysInMonth(year, month)) {
            return -1;
        }
        LineFields clock = new LineFields();
        int j = TimeOfDay.scan(s, i + 11, clock);
        if (j < 0) {
            return -1;
        }
        long localSeconds =
                CivilDate.epochDay(year, month, day) * 86400 + clock.hour * 3600L + clock.minute * 60L + clock.second;
        fractionDigits = clock.fractionDigits;
        hasOffset = false;
        offsetColon = false;
        int offset;
        char c = charAt(s, j);
        if (c == 'Z' || c == 'z') {
            offset = 0;
            hasOffset = true;
            offsetColon = true; // 'Z' is RFC 3339, not journalctl's +0000
            j++;
        } else if (c == '+' || c == '-') {
            if (!(isDigit(charAt(s, j + 1)) && isDigit(charAt(s, j + 2)))) {
                return -1;
            }
            int hours = digits(s, j + 1, 2);
            int k = j + 3;
            if (charAt(s, k) == ':') {
                offsetColon = true;
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
            hasOffset = true;
            j = k + 2;
        } else {
            offset = zone.offsetForLocal(localSeconds);
        }
        epochMs = (localSeconds - offset) * 1000 + clock.nanos / 1_000_000;
        return j;
    }

    /**
     * Reads {@code Mon dd hh:mm:ss[.ffffff]} (day space-padded or not) at i into this stamp, the
     * year inferred like a Redis line's. Returns the index after it, or -1.
     */
    int readBsd(String s, int i, long ref, LogZone zone) {
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
        LineFields f = new LineFields();
        int end = TimeOfDay.scan(s, j + 1, f);
        if (end < 0) {
            return -1;
        }
        f.month = month;
        f.day = day;
        long ts = zone.inferYear(f, ref);
        if (ts == Long.MIN_VALUE) {
            return -1;
        }
        epochMs = ts;
        hasOffset = false;
        fractionDigits = f.fractionDigits;
        return end;
    }
}
