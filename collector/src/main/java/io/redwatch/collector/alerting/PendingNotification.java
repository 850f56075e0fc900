package io.redwatch.collector.alerting;

/** A claimed row of the outbox with the alert it tells of. */
public record PendingNotification(long id, NoticeItem item) {}
