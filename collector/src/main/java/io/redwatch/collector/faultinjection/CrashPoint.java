package io.redwatch.collector.faultinjection;

import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * A test-only crash point, off unless a system property names it. With
 * {@code -Dredwatch.test.<name>=N} the N-th time the point is reached the JVM halts on the spot
 * ({@link Runtime#halt}, exit code {@value #EXIT_CODE}): no shutdown hook runs, nothing is flushed or
 * closed, as if the process were killed -9 at that line. The fault tests use it for moments a signal
 * from outside cannot hit reliably, such as "committed in PostgreSQL but not yet acknowledged".
 *
 * <p>The points, all in the collector: {@code crashAfterCommit} (ingest: a new batch is committed, its
 * ack not sent), {@code crashAfterClaim} (alerting: notifications claimed, not sent) and
 * {@code crashAfterSend} (alerting: a message sent, its notifications not marked sent). Never set
 * these in production.
 */
public final class CrashPoint {
    public static final int EXIT_CODE = 86;
    private static final Logger LOG = Logger.getLogger(CrashPoint.class.getName());

    private final String property;
    private final long at;
    private final AtomicLong reached = new AtomicLong();

    private CrashPoint(String property, long at) {
        this.property = property;
        this.at = at;
    }

    /** The point named {@code name}; armed only when {@code redwatch.test.<name>} is a positive number. */
    public static CrashPoint named(String name) {
        String property = "redwatch.test." + name;
        return new CrashPoint(property, Long.getLong(property, 0L));
    }

    /** Halts the JVM if this is the N-th time; {@code what} says what was done just before, for the log. */
    public void reached(String what) {
        if (at <= 0 || reached.incrementAndGet() != at) return;
        LOG.severe("test hook " + property + "=" + at + ": halting the JVM now (" + what + ")");
        Runtime.getRuntime().halt(EXIT_CODE);
    }
}
