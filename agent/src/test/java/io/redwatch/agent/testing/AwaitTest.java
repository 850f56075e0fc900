package io.redwatch.agent.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {
    @Test
    void returnsTheFirstValueThereRetryingWhatThrows() {
        AtomicInteger polls = new AtomicInteger();

        String v = Await.value("the third poll", Duration.ofSeconds(10), () -> {
            int n = polls.incrementAndGet();
            if (n == 1) throw new IOException("not up yet");
            return n == 3 ? "three" : null;
        });

        assertEquals("three", v);
        assertEquals(3, polls.get());
    }

    @Test
    void aTimeoutSaysWhatWasAwaitedWhatWasSeenAndTheLastError() {
        AssertionError e = assertThrows(
                AssertionError.class,
                () -> Await.until(
                        "rows stored",
                        Duration.ofMillis(50),
                        () -> {
                            throw new IOException("relation does not exist");
                        },
                        () -> "0 rows"));

        assertEquals(
                "timed out after 50 ms waiting for: rows stored; now: 0 rows"
                        + " (last error: java.io.IOException: relation does not exist)",
                e.getMessage());
    }

    @Test
    void aFailedAssertionInTheConditionEndsTheWaitAtOnce() {
        AssertionError failed = new AssertionError("the process exited");
        AtomicInteger polls = new AtomicInteger();

        AssertionError e = assertThrows(
                AssertionError.class,
                () -> Await.until("a log line", Duration.ofSeconds(30), () -> {
                    polls.incrementAndGet();
                    throw failed;
                }));

        assertSame(failed, e);
        assertEquals(1, polls.get());
    }
}
