package io.redwatch.agent.config;

import java.time.Duration;

/** Durations as operators write them in config and flags: {@code 500ms}, {@code 10s}, {@code 1m}, {@code 2h}. */
public final class Durations {
    private Durations() {
    }

    public static Duration parse(String text, String key) {
        String t = text == null ? "" : text.trim();
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) i++;
        if (i == 0 || i == t.length()) {
            throw new ConfigException(key + ": '" + text + "' is not a duration; write e.g. 500ms, 10s, 1m or 2h");
        }
        long n;
        try {
            n = Long.parseLong(t.substring(0, i));
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": '" + text + "' is too large");
        }
        Duration d;
        try {
            d = switch (t.substring(i)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> throw new ConfigException(key + ": unknown unit in '" + text + "'; use ms, s, m or h");
            };
        } catch (ArithmeticException e) {
            throw new ConfigException(key + ": '" + text + "' is too large");
        }
        if (d.isZero()) throw new ConfigException(key + " must be positive, got '" + text + "'");
        return d;
    }
}
