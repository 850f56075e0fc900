package io.redwatch.collector.storage;

/** What {@link BatchStore#store} did: whether the batch was a resend, and how many rows it wrote. */
public record StoreResult(boolean duplicate, int rowsWritten) {}
