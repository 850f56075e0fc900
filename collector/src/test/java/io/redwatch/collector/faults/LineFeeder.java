package io.redwatch.collector.faults;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes lines into a {@link RedisLog} in the background, like a busy Redis: {@code chunk} lines
 * every {@code periodMs}, until {@code total} are written or it is closed.
 */
final class LineFeeder implements AutoCloseable {
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;
    private volatile boolean paused;

    LineFeeder(RedisLog log, int total, int chunk, long periodMs) {
        thread = new Thread(
                () -> {
                    try {
                        while (running && log.written() < total) {
                            synchronized (log) { // a pause() that returned is seen here
                                if (!paused) log.append(Math.min(chunk, total - log.written()));
                            }
                            Thread.sleep(periodMs);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (RuntimeException e) {
                        failure.set(e);
                    }
                },
                "line-feeder");
        thread.setDaemon(true);
        thread.start();
    }

    /** Writes nothing until {@link #resume}; returns once any write in progress is done. */
    void pause(RedisLog log) {
        paused = true;
        synchronized (log) {
            // RedisLog's methods hold this lock while writing
        }
    }

    void resume() {
        paused = false;
    }

    /** Waits until all lines are written. */
    void awaitDone(Duration timeout) {
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure.get() != null) throw new AssertionError("writing the log failed", failure.get());
        if (thread.isAlive())
            throw new AssertionError("the feeder did not finish within " + timeout.toSeconds() + " s");
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
