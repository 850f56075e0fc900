package io.redwatch.agent.testing;

import java.time.Duration;

/**
 * Polls until something holds, for tests of both sides. A failure says what was awaited, for how
 * long, what was last seen and the last error the check threw (a table not created yet, a server
 * still starting): a check that throws is retried, not fatal, until the time is up. Polls start at
 * 10 ms, so a fast event costs a fast test, and slow down to 100 ms, so a long wait does not hammer
 * a database.
 */
public final class Await {
    private static final long FIRST_POLL_MS = 10;
    private static final long LONGEST_POLL_MS = 100;

    private Await() {}

    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** A value once it is there, null until then. */
    @FunctionalInterface
    public interface Probe<T> {
        T get() throws Exception;
    }

    /** What the failure message shows of the state the test waited on (a row count, a log tail). */
    @FunctionalInterface
    public interface State {
        Object now() throws Exception;
    }

    public static void until(String what, Duration timeout, Condition condition) {
        until(what, timeout, condition, () -> "");
    }

    public static void until(String what, Duration timeout, Condition condition, State state) {
        value(what, timeout, () -> condition.holds() ? Boolean.TRUE : null, state);
    }

    /** The first non-null value {@code probe} gives within {@code timeout}. */
    public static <T> T value(String what, Duration timeout, Probe<T> probe) {
        return value(what, timeout, probe, () -> "");
    }

    public static <T> T value(String what, Duration timeout, Probe<T> probe, State state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_POLL_MS;
        Exception last = null;
        while (true) {
            try {
                T v = probe.get();
                if (v != null) return v;
                last = null;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) break;
            sleep(pause);
            pause = Math.min(LONGEST_POLL_MS, pause * 2);
        }
        String seen;
        try {
            seen = String.valueOf(state.now());
        } catch (Exception e) {
            seen = "(" + e + ")";
        }
        throw new AssertionError(
                "timed out after " + timeout.toMillis() + " ms waiting for: " + what
                        + (seen.isEmpty() ? "" : "; now: " + seen)
                        + (last == null ? "" : " (last error: " + last + ")"),
                last);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting", e);
        }
    }
}
