package io.redwatch.collector.alerting;

import io.redwatch.collector.rules.Severity;

/**
 * A firing alert as the state machine needs it: one row of the {@code alerts} table.
 *
 * @param missed         evaluations in a row that no longer found it
 * @param lastNotifiedMs when it last caused a notification; {@link #NEVER} when routes paged nobody
 */
public record OpenAlert(long id, String rule, Severity severity, long lastSeenMs, int missed, long lastNotifiedMs) {
    public static final long NEVER = Long.MIN_VALUE;

    public boolean notified() {
        return lastNotifiedMs != NEVER;
    }
}
