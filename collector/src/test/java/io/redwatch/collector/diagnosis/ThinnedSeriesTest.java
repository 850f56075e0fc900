package io.redwatch.collector.diagnosis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThinnedSeriesTest {
    private static final long HOUR = 3_600_000;
    private static final long FIVE_MIN = 300_000;

    private static ThinnedSeries<Long> series() {
        return new ThinnedSeries<>(t -> t, t -> t, HOUR, FIVE_MIN, 64, 64);
    }

    private static List<Long> times(ThinnedSeries<Long> s) {
        List<Long> out = new ArrayList<>();
        s.forEach(out::add);
        return out;
    }

    @Test
    void fullRateForTheNewestMinutesAndOneAMinuteBeforeBackToTheWindow() {
        ThinnedSeries<Long> s = series();
        for (long t = 0; t <= 2 * HOUR; t += 10_000) s.add(t);
        List<Long> kept = times(s);
        long now = 2 * HOUR;
        assertEquals(
                31,
                kept.stream().filter(t -> now - t <= FIVE_MIN).count(),
                "every 10 s sample of the last five minutes");
        List<Long> older = kept.stream().filter(t -> now - t > FIVE_MIN).toList();
        assertTrue(older.size() >= 54 && older.size() <= 56, "one a minute for the 55 minutes before: " + older.size());
        for (int i = 1; i < older.size(); i++) assertTrue(older.get(i) - older.get(i - 1) >= 60_000);
        assertTrue(kept.get(0) >= now - HOUR, "nothing older than the window");
        assertEquals(kept.stream().sorted().toList(), kept, "oldest first");
    }

    @Test
    void countsBoundItWhateverTheTimestamps() {
        ThinnedSeries<Long> fast = series();
        for (long t = 0; t < 100_000; t += 100) fast.add(t); // an agent at 100 ms
        assertTrue(fast.size() <= 128, "bounded by count: " + fast.size());

        ThinnedSeries<Long> same = series();
        for (int i = 0; i < 10_000; i++) same.add(42L); // equal timestamps are evicted too
        assertTrue(same.size() <= 128, "bounded by count: " + same.size());
    }

    @Test
    void samplesMovingToTheThinnedPartAreThinned() {
        ThinnedSeries<Long> s = new ThinnedSeries<>(t -> t, t -> -t, HOUR, FIVE_MIN, 64, 64);
        for (long t = 0; t <= 20 * 60_000; t += 10_000) s.add(t);
        List<Long> kept = times(s);
        assertTrue(kept.stream().anyMatch(t -> t < 0), "older samples passed through thin");
        assertTrue(kept.get(kept.size() - 1) > 0, "the newest sample is whole");
    }
}
