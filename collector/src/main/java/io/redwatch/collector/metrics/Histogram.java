package io.redwatch.collector.metrics;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** A Prometheus histogram of durations in seconds, with fixed buckets; lock-free to observe. */
public final class Histogram {
    /** From 1 ms to 1 min: a store or a dispatch round that takes longer is an outage, not a latency. */
    public static final double[] SECONDS = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
    };

    private final String name;
    private final String help;
    private final double[] bounds;
    private final LongAdder[] counts;
    private final LongAdder count = new LongAdder();
    private final DoubleAdder sum = new DoubleAdder();

    public Histogram(String name, String help, double[] bounds) {
        this.name = name;
        this.help = help;
        this.bounds = bounds.clone();
        this.counts = new LongAdder[bounds.length];
        for (int i = 0; i < counts.length; i++) counts[i] = new LongAdder();
    }

    public void observe(double seconds) {
        for (int i = 0; i < bounds.length; i++) {
            if (seconds <= bounds[i]) {
                counts[i].increment();
                break;
            }
        }
        count.increment();
        sum.add(seconds);
    }

    public void observeNanos(long nanos) {
        observe(nanos / 1e9);
    }

    public long count() {
        return count.sum();
    }

    public void writeTo(Exposition e) {
        e.family(name, "histogram", help);
        long cumulative = 0;
        for (int i = 0; i < bounds.length; i++) {
            cumulative += counts[i].sum();
            e.sample(name + "_bucket", cumulative, "le", Exposition.number(bounds[i]));
        }
        long n = count.sum();
        e.sample(name + "_bucket", n, "le", "+Inf");
        e.sample(name + "_sum", sum.sum());
        e.sample(name + "_count", n);
    }
}
