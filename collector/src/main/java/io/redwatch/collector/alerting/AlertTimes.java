package io.redwatch.collector.alerting;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Times as alert texts show them: short, in the operators' time zone, with the zone named once. */
public final class AlertTimes {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);
    private static final DateTimeFormatter FULL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss xxx", Locale.ROOT);

    private AlertTimes() {}

    /** {@code 03:12}. */
    public static String clock(long ms, ZoneId zone) {
        return CLOCK.format(Instant.ofEpochMilli(ms).atZone(zone));
    }

    /** {@code 2024-05-01 03:12:09 +08:00}. */
    public static String full(long ms, ZoneId zone) {
        return FULL.format(Instant.ofEpochMilli(ms).atZone(zone));
    }

    /** {@code 45s}, {@code 12m}, {@code 3h 05m}, {@code 2d 4h}. */
    public static String age(long ms) {
        long s = Math.max(0, ms / 1000);
        if (s < 60) return s + "s";
        long m = s / 60;
        if (m < 60) return m + "m";
        long h = m / 60;
        if (h < 48) return h + "h " + String.format(Locale.ROOT, "%02dm", m % 60);
        return h / 24 + "d " + h % 24 + "h";
    }
}
