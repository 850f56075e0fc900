package io.redwatch.collector.alerting;

import io.redwatch.collector.rules.Severity;

/**
 * A reason to tell people about an alert; routes turn it into one notification per channel and
 * recipient of its severity.
 */
public record Page(long alertId, NotificationKind kind, Severity severity) {}
