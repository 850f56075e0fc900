package io.redwatch.agent.tailing;

import java.time.OffsetDateTime;

/** Expected log timestamps written the readable way. */
final class ParsedTimes {

    private ParsedTimes() {}

    /** Epoch milliseconds of an ISO date-time with offset, e.g. {@code 2026-11-21T05:30:34.123Z}. */
    static long ms(String isoOffsetDateTime) {
        return OffsetDateTime.parse(isoOffsetDateTime).toInstant().toEpochMilli();
    }
}
