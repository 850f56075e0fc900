package io.redwatch.agent.tailing;

import static io.redwatch.agent.tailing.Chars.charAt;
import static io.redwatch.agent.tailing.Chars.digits;
import static io.redwatch.agent.tailing.Chars.isDigit;

/** Scans {@code hh:mm:ss[.fraction]}, the clock part shared by Redis, syslog and ISO stamps. */
final class TimeOfDay {

    private TimeOfDay() {}

    /**
     * {@code hh:mm:ss} with optional {@code .fraction} or {@code ,fraction} (1 to 9 digits, more are
     * ignored) at i into f. Returns the index after it, or -1.
     */
    static int scan(String s, int i, LineFields f) {
        if (!(isDigit(charAt(s, i))
                && isDigit(charAt(s, i + 1))
                && charAt(s, i + 2) == ':'
                && isDigit(charAt(s, i + 3))
                && isDigit(charAt(s, i + 4))
                && charAt(s, i + 5) == ':'
                && isDigit(charAt(s, i + 6))
                && isDigit(charAt(s, i + 7)))) {
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
}
