package io.redwatch.collector.doctor;

import io.redwatch.common.config.ConfigException;
import io.redwatch.common.config.Durations;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

/** The {@code --at} and {@code --window} of a post-mortem, as a person types them. */
final class PastMoment {
    /** "2026-11-21 03:10", "2026-11-21 03:10:25", or with a T; read in the --zone. */
    private static final List<DateTimeFormatter> LOCAL = List.of(
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"), DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"),
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm"), DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss"));

    private PastMoment() {}

    static long parse(String text, ZoneId zone) {
        String t = text.trim();
        try {
            return OffsetDateTime.parse(t).toInstant().toEpochMilli(); // 2026-11-21T03:10:00Z, …+08:00
        } catch (DateTimeParseException notWithOffset) {
            // a local time, below
        }
        for (DateTimeFormatter f : LOCAL) {
            try {
                return LocalDateTime.parse(t, f).atZone(zone).toInstant().toEpochMilli();
            } catch (DateTimeException tryNext) {
                // the next pattern
            }
        }
        throw new DoctorInputException(
                "--at " + text + " is no time; write e.g. \"2026-11-21 03:10\" (in --zone, default"
                        + " this machine's) or 2026-11-21T03:10:00Z");
    }

    static Duration window(String text) {
        try {
            return Durations.parse(text, "--window");
        } catch (ConfigException e) {
            throw new DoctorInputException(e.getMessage());
        }
    }
}
