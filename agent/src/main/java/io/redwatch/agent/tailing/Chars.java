package io.redwatch.agent.tailing;

/**
 * Character tests the log line scanners share. Out-of-range reads give '\0' so a scanner can look
 * ahead without checking the length first; the scanners never treat '\0' as part of a format.
 */
final class Chars {

    private Chars() {}

    static char charAt(String s, int i) {
        return i >= 0 && i < s.length() ? s.charAt(i) : '\0';
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The value of {@code count} digits at i, which the caller has checked are digits. */
    static int digits(String s, int i, int count) {
        int value = 0;
        for (int k = i; k < i + count; k++) {
            value = value * 10 + (s.charAt(k) - '0');
        }
        return value;
    }

    static int skipBlanks(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    static String stripLineEnd(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
            end--;
        }
        return end == s.length() ? s : s.substring(0, end);
    }

    /** 1-12 for an English month abbreviation at i (as C's %b writes it), else 0. */
    static int monthAt(String s, int i) {
        if (i + 3 > s.length()) {
            return 0;
        }
        int key = (Character.toLowerCase(s.charAt(i)) << 16)
                | (Character.toLowerCase(s.charAt(i + 1)) << 8)
                | Character.toLowerCase(s.charAt(i + 2));
        switch (key) {
            case ('j' << 16) | ('a' << 8) | 'n':
                return 1;
            case ('f' << 16) | ('e' << 8) | 'b':
                return 2;
            case ('m' << 16) | ('a' << 8) | 'r':
                return 3;
            case ('a' << 16) | ('p' << 8) | 'r':
                return 4;
            case ('m' << 16) | ('a' << 8) | 'y':
                return 5;
            case ('j' << 16) | ('u' << 8) | 'n':
                return 6;
            case ('j' << 16) | ('u' << 8) | 'l':
                return 7;
            case ('a' << 16) | ('u' << 8) | 'g':
                return 8;
            case ('s' << 16) | ('e' << 8) | 'p':
                return 9;
            case ('o' << 16) | ('c' << 8) | 't':
                return 10;
            case ('n' << 16) | ('o' << 8) | 'v':
                return 11;
            case ('d' << 16) | ('e' << 8) | 'c':
                return 12;
            default:
                return 0;
        }
    }
}
