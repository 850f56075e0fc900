package io.redwatch.collector.alerting;

/** A row the outbox is about to hold: one page, for one recipient of one channel. */
public record NewNotification(long alertId, NotificationKind kind, String channel, String recipient) {}
