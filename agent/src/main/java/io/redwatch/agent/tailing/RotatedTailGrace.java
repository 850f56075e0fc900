package io.redwatch.agent.tailing;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Decides when the unterminated last line of a rotated-away file is final: once the file has not
 * grown for the grace period, its newline can no longer arrive (the writer moved to the new file).
 * Time comes from an injected nanosecond clock, so tests drive it instead of sleeping.
 */
final class RotatedTailGrace {
    static final Duration DEFAULT = Duration.ofSeconds(1);

    private final LongSupplier nanoTime;
    private long graceNanos = DEFAULT.toNanos();
    /** The pending line and file end being timed; -1 when nothing is. */
    private long lineStart = -1;

    private long readPos = -1;
    private long since;

    RotatedTailGrace(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    void setGrace(Duration grace) {
        this.graceNanos = grace.toNanos();
    }

    /**
     * True once the pending line starting at {@code lineStart}, with the file read up to
     * {@code readPos}, has stayed so for the grace period. Any change starts the wait again.
     */
    boolean over(long lineStart, long readPos) {
        long now = nanoTime.getAsLong();
        if (lineStart != this.lineStart || readPos != this.readPos) {
            this.lineStart = lineStart;
            this.readPos = readPos;
            since = now;
        }
        return now - since >= graceNanos;
    }

    /** Forgets the line being timed (another file, or the line was returned). */
    void reset() {
        lineStart = -1;
        readPos = -1;
    }
}
