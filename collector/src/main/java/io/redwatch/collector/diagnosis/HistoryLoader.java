package io.redwatch.collector.diagnosis;

import io.redwatch.collector.storage.RecentRecords;

/** Where a new window finds the instance's past: the database ({@code RecentHistory::load}). */
@FunctionalInterface
public interface HistoryLoader {
    /** The records of {@code instance} since {@code fromMs}, INFO at full rate since {@code fullRateFromMs}. */
    RecentRecords load(String instance, String host, long fromMs, long fullRateFromMs, int logsPerKind);
}
