package io.redwatch.collector.storage;

/** A batch whose sequence number breaks {@link SequenceRule}: not stored, not acknowledged. */
public final class SequenceRefused extends RuntimeException {
    public SequenceRefused(String message) {
        super(message, null, false, false);
    }
}
