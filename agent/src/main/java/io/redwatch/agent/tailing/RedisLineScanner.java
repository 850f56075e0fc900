package io.redwatch.agent.tailing;

import static io.redwatch.agent.tailing.Chars.charAt;
import static io.redwatch.agent.tailing.Chars.digits;
import static io.redwatch.agent.tailing.Chars.isDigit;
import static io.redwatch.agent.tailing.Chars.monthAt;

import io.redwatch.proto.v1.LogEvent;

/**
 * Scans the header of a line Redis itself wrote (pid, role, date, level) without any time zone
 * work; {@link LogZone#resolve} turns the date into an instant. The formats:
 * <pre>
 * [4018] 14 Nov 07:01:22.119 * Server started, Redis version 2.2.12     2.x (also without .ms)
 * 1838:M 16 Aug 01:07:39.319 # Error ...                               3.x to 5.x, roles M S C X
 * 1:M 21 Nov 2026 05:30:34.123 * Ready to accept connections           6.x and later
 * 1:signal-handler (1700000000) Received SIGTERM scheduling shutdown... any version; unix seconds
 * </pre>
 * Level characters: '.' DEBUG, '-' VERBOSE, '*' NOTICE, '#' WARNING.
 */
final class RedisLineScanner {

    private static final String[] ROLES = {"M", "S", "C", "X"};

    private RedisLineScanner() {}

    /**
     * Scans a Redis line header at {@code p} into {@code f} and returns the index where the message
     * starts, or -1.
     */
    static int scan(String s, int p, LineFields f) {
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

    private static int scanSignalHandler(String s, int i, LineFields f) {
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

    private static int scanPid(String s, int i, LineFields f) {
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
    private static int scanDate(String s, int i, LineFields f) {
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
        if (isDigit(charAt(s, i))
                && isDigit(charAt(s, i + 1))
                && isDigit(charAt(s, i + 2))
                && isDigit(charAt(s, i + 3))
                && charAt(s, i + 4) == ' ') {
            year = digits(s, i, 4);
            i += 5;
        }
        int end = TimeOfDay.scan(s, i, f);
        if (end < 0 || day < 1 || day > 31) {
            return -1;
        }
        f.year = year;
        f.month = month;
        f.day = day;
        return end;
    }

    private static int roleIndex(char c) {
        switch (c) {
            case 'M':
                return 0;
            case 'S':
                return 1;
            case 'C':
                return 2;
            case 'X':
                return 3;
            default:
                return -1;
        }
    }

    private static int levelFromChar(char c) {
        switch (c) {
            case '.':
                return LogEvent.Level.DEBUG_VALUE;
            case '-':
                return LogEvent.Level.VERBOSE_VALUE;
            case '*':
                return LogEvent.Level.NOTICE_VALUE;
            case '#':
                return LogEvent.Level.WARNING_VALUE;
            default:
                return 0;
        }
    }
}
