package io.redwatch.common.config;

import java.time.Duration;

/**
 * Durations as operators write them in config and flags: {@code 500ms}, {@code 10s}, {@code 1m},
 * {@code 2h}, {@code 90d}. Up to {@link #LONGEST}: callers add a duration to the current time in
 * milliseconds, and a value near {@link Duration}'s own limit would overflow there (or, as an
 * {@link ArithmeticException} here, end the process without naming the key).
 */
public final class Durations {
    /** A bound no real interval, timeout, retention or silence comes near. */
    public static final Duration LONGEST = Duration.ofDays(36_500);

    private static final String UNITS = "ms, s, m, h or d";

    private Durations() {}

    public static Duration parse(String text, String key) {
        String t = text == null ? "" : text.trim();
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) i++;
        if (i == 0 || i == t.length()) {
            throw new ConfigException(key + ": '" + text + "' is not a duration; write a whole number and a unit ("
                    + UNITS + "), e.g. 500ms, 10s, 1m or 2h");
        }
        String unit = t.substring(i);
        if (!unit.matches("ms|s|m|h|d")) {
            throw new ConfigException(key + ": unknown unit in '" + text + "'; use " + UNITS);
        }
        Duration d;
        try {
            long n = Long.parseLong(t.substring(0, i));
            d = switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } catch (NumberFormatException | ArithmeticException tooManyDigits) {
            d = null;
        }
        if (d == null || d.compareTo(LONGEST) > 0) {
            throw new ConfigException(key + ": '" + text + "' is too large; the longest duration allowed is "
                    + LONGEST.toDays() + "d (100 years)");
        }
        if (d.isZero()) throw new ConfigException(key + " must be positive, got '" + text + "'");
        return d;
    }
}
