package io.redwatch.collector.alerting;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Epoch milliseconds, as alerting computes with them, to and from timestamptz columns. */
final class Timestamps {
    private Timestamps() {}

    static OffsetDateTime ts(long ms) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(ms), ZoneOffset.UTC);
    }

    static long millis(OffsetDateTime t) {
        return t.toInstant().toEpochMilli();
    }
}
