package io.redwatch.collector.storage;

/**
 * What a batch's sequence number may be, compared unsigned with the last one stored for its agent
 * (a uint64 of 2^64-1 arrives in Java as -1).
 *
 * <p>A real agent numbers batches 1, 2, 3… when it first sends them, keeps the number across
 * restarts, and never has more than its in-flight window (8) sent beyond what the collector
 * stored; so a batch far above the last stored one is forged or broken. It is refused, never
 * acknowledged, so it can neither be lost nor mute the agent's later batches.
 */
public final class SequenceRule {
    /** No agent reaches this by counting (a batch per microsecond for 285 years). */
    public static final long MAX_SEQ = 1L << 53;
    /**
     * How far above the last stored batch a batch may be: a database restored from a backup a
     * few days old is still within it, a forged number is not.
     */
    public static final long MAX_LEAP = 1L << 20;

    public enum Verdict {
        STORE,
        DUPLICATE,
        ZERO,
        TOO_HIGH,
        LEAP
    }

    private SequenceRule() {}

    public static Verdict judge(long lastStored, long seq) {
        if (seq == 0) return Verdict.ZERO;
        if (Long.compareUnsigned(seq, MAX_SEQ) >= 0) return Verdict.TOO_HIGH;
        if (Long.compareUnsigned(seq, lastStored) <= 0) return Verdict.DUPLICATE;
        if (Long.compareUnsigned(seq - lastStored, MAX_LEAP) > 0) return Verdict.LEAP;
        return Verdict.STORE;
    }

    /** Why a batch was refused, for the agent and the log. */
    public static String reason(Verdict v, long lastStored, long seq) {
        return switch (v) {
            case ZERO -> "batch without a sequence number";
            case TOO_HIGH ->
                "sequence number " + Long.toUnsignedString(seq)
                        + " is at or above 2^53, which no agent reaches by counting";
            case LEAP ->
                "sequence number " + Long.toUnsignedString(seq) + " is more than " + MAX_LEAP
                        + " above the last stored one (" + Long.toUnsignedString(lastStored) + ")";
            case STORE, DUPLICATE -> "";
        };
    }

    /** A stored number no real agent could have reached (written before this rule existed). */
    public static boolean poisoned(long stored) {
        return Long.compareUnsigned(stored, MAX_SEQ) >= 0;
    }
}
