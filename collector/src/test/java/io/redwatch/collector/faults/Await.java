package io.redwatch.collector.faults;

import java.time.Duration;

/** Polls a condition until it holds; the failure says what was awaited and what was last seen. */
final class Await {
    private Await() {
    }

    @FunctionalInterface
    interface Condition {
        boolean holds() throws Exception;
    }

    @FunctionalInterface
    interface Description {
        Object now() throws Exception;
    }

    static void until(String what, Duration timeout, Condition condition) {
        until(what, timeout, condition, () -> "");
    }

    /** {@code state} describes the current state for the failure message (e.g. the row count). */
    static void until(String what, Duration timeout, Condition condition, Description state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                if (condition.holds()) return;
                last = null;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) break;
            JavaProcess.sleep(200);
        }
        String seen;
        try {
            seen = String.valueOf(state.now());
        } catch (Exception e) {
            seen = "(" + e + ")";
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what
                + (seen.isEmpty() ? "" : "; now: " + seen) + (last == null ? "" : " (last error: " + last + ")"));
    }
}
