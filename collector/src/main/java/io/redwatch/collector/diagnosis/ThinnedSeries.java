package io.redwatch.collector.diagnosis;

import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;

/**
 * Samples of one kind for one instance, bounded by time and by count: every sample of the newest
 * {@code fullRateMs}, and one a minute before that, back to {@code windowMs}. Adding is O(1)
 * amortised: a sample that ages out of the full-rate part is kept or dropped once, then never
 * looked at again until it leaves the window. Counts bound both parts whatever the timestamps (an
 * agent at a 100 ms interval, or one that sends equal timestamps, cannot grow it).
 *
 * <p>A sample moving to the thinned part is passed through {@code thin} (INFO drops the fields
 * only the newest sample needs). Samples arriving out of order are appended anyway; rules sort.
 * Not thread-safe: the window locks.
 */
final class ThinnedSeries<T> {
    static final long THINNED_SPACING_MS = 60_000;

    private final ArrayDeque<T> recent = new ArrayDeque<>();
    private final ArrayDeque<T> older = new ArrayDeque<>();
    private final ToLongFunction<T> ts;
    private final UnaryOperator<T> thin;
    private final long windowMs;
    private final long fullRateMs;
    private final int maxRecent;
    private final int maxOlder;

    ThinnedSeries(
            ToLongFunction<T> ts, UnaryOperator<T> thin, long windowMs, long fullRateMs, int maxRecent, int maxOlder) {
        this.ts = ts;
        this.thin = thin;
        this.windowMs = windowMs;
        this.fullRateMs = fullRateMs;
        this.maxRecent = maxRecent;
        this.maxOlder = maxOlder;
    }

    void add(T sample) {
        recent.addLast(sample);
        long newest = ts.applyAsLong(sample);
        while (!recent.isEmpty()
                && (recent.size() > maxRecent || newest - ts.applyAsLong(recent.peekFirst()) > fullRateMs)) {
            T aged = recent.removeFirst();
            long t = ts.applyAsLong(aged);
            if (older.isEmpty() || t - ts.applyAsLong(older.peekLast()) >= THINNED_SPACING_MS)
                older.addLast(thin.apply(aged));
        }
        while (!older.isEmpty() && (older.size() > maxOlder || newest - ts.applyAsLong(older.peekFirst()) > windowMs)) {
            older.removeFirst();
        }
    }

    /** Oldest first. */
    void forEach(Consumer<T> each) {
        older.forEach(each);
        recent.forEach(each);
    }

    /** The first sample at full rate, or null. */
    T firstRecent() {
        return recent.peekFirst();
    }

    void clear() {
        recent.clear();
        older.clear();
    }

    int size() {
        return recent.size() + older.size();
    }
}
