package io.redwatch.collector.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/** Acknowledgements and their latencies, per reporting interval and for the whole run. */
final class FleetStats {
    private final AtomicLong connected = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private long[] interval = new long[1 << 16];
    private int intervalCount;
    private long[] run = new long[1 << 16];
    private int runCount;
    private boolean measuring;

    private long[] welcomes = new long[1024];
    private int welcomeCount;

    /** A hello was answered after {@code waitedNanos}. */
    synchronized void connected(long waitedNanos) {
        connected.incrementAndGet();
        if (welcomeCount == welcomes.length) welcomes = Arrays.copyOf(welcomes, welcomes.length * 2);
        welcomes[welcomeCount++] = waitedNanos;
    }

    /** Every hello → welcome time so far, sorted. */
    synchronized long[] welcomeLatencies() {
        long[] out = Arrays.copyOf(welcomes, welcomeCount);
        Arrays.sort(out);
        return out;
    }

    void disconnected() {
        connected.decrementAndGet();
        reconnects.incrementAndGet();
    }

    void rejected(String why) {
        if (rejected.incrementAndGet() <= 5) System.out.println("rejected: " + why);
    }

    private final AtomicLong streamErrors = new AtomicLong();

    /** The first few stream errors are printed, the rest counted. */
    void streamError(String agentId, Throwable t) {
        if (streamErrors.incrementAndGet() <= 3) System.out.println("stream of " + agentId + " failed: " + t);
    }

    synchronized void acked(long latencyNanos) {
        if (intervalCount == interval.length) interval = Arrays.copyOf(interval, interval.length * 2);
        interval[intervalCount++] = latencyNanos;
        if (measuring) {
            if (runCount == run.length) run = Arrays.copyOf(run, run.length * 2);
            run[runCount++] = latencyNanos;
        }
    }

    /** From now on latencies count toward the run's percentiles (after the start-up spread). */
    synchronized void startMeasuring() {
        measuring = true;
    }

    /** The interval's latencies (sorted), and a fresh interval. */
    synchronized long[] takeInterval() {
        long[] out = Arrays.copyOf(interval, intervalCount);
        intervalCount = 0;
        Arrays.sort(out);
        return out;
    }

    synchronized long[] runLatencies() {
        long[] out = Arrays.copyOf(run, runCount);
        Arrays.sort(out);
        return out;
    }

    long connectedNow() {
        return connected.get();
    }

    long reconnects() {
        return reconnects.get();
    }

    static double percentileMs(long[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
        return sorted[i] / 1e6;
    }
}
