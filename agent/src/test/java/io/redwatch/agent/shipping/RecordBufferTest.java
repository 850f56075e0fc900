package io.redwatch.agent.shipping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.testing.Await;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.Record;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RecordBufferTest {

    private static Record ping(long ts) {
        return Record.newBuilder().setPing(PingResult.newBuilder().setTsMs(ts)).build();
    }

    @Test
    void drainsInOrderUpToMax() throws InterruptedException {
        RecordBuffer b = new RecordBuffer(100);
        for (int i = 1; i <= 25; i++) b.offer(ping(i));

        List<Record> first = b.drain(10, 0);
        List<Record> rest = b.drain(100, 0);

        assertEquals(
                List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L),
                first.stream().map(r -> r.getPing().getTsMs()).toList());
        assertEquals(15, rest.size());
        assertEquals(11, rest.get(0).getPing().getTsMs());
        assertEquals(0, b.size());
    }

    @Test
    void fullBufferNeverBlocksTheSamplerAndTheNextDrainReportsTheLossOnce() throws Exception {
        RecordBuffer b = new RecordBuffer(10);
        long before = System.currentTimeMillis();
        // a sampler offering far more than fits must return at once, not wait for the shipper
        CompletableFuture.runAsync(() -> {
                    for (int i = 1; i <= 35; i++) b.offer(ping(i));
                })
                .get(5, TimeUnit.SECONDS);
        long after = System.currentTimeMillis();

        List<Record> drained = b.drain(100, 0);

        assertEquals(11, drained.size(), "10 records and one gap");
        assertEquals(10, drained.get(9).getPing().getTsMs(), "the oldest records are kept");
        Record gap = drained.get(10);
        assertTrue(gap.hasGap());
        assertEquals(25, gap.getGap().getRecordsLost());
        assertTrue(
                gap.getGap().getFromMs() >= before
                        && gap.getGap().getToMs() <= after
                        && gap.getGap().getFromMs() <= gap.getGap().getToMs(),
                gap.toString());
        assertFalse(gap.getGap().getReason().isEmpty());
        assertEquals(List.of(), b.drain(100, 0), "the loss is reported once");
    }

    @Test
    void underConcurrentSamplersEveryRecordIsEitherDrainedOrCountedLost() throws Exception {
        RecordBuffer b = new RecordBuffer(64);
        int threads = 4;
        int perThread = 50_000;
        List<CompletableFuture<Void>> samplers = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            samplers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < perThread; i++) b.offer(ping(i));
            }));
        }
        long drained = 0;
        long lost = 0;
        CompletableFuture<Void> all = CompletableFuture.allOf(samplers.toArray(new CompletableFuture[0]));
        while (!all.isDone() || b.size() > 0) {
            for (Record r : b.drain(100, 1)) {
                if (r.hasGap()) lost += r.getGap().getRecordsLost();
                else drained++;
            }
        }
        for (Record r : b.drain(100, 0)) {
            if (r.hasGap()) lost += r.getGap().getRecordsLost();
            else drained++;
        }

        assertEquals((long) threads * perThread, drained + lost);
        assertTrue(lost > 0, "the buffer was overrun");
    }

    @Test
    void drainWaitsForAFirstRecord() throws Exception {
        RecordBuffer b = new RecordBuffer(10);
        AtomicReference<List<Record>> drained = new AtomicReference<>();
        Thread drainer = new Thread(() -> {
            try {
                drained.set(b.drain(10, 5000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        drainer.start();
        // Blocked inside drain (not merely not started yet), and nothing returned.
        Await.until("the drain waits", Duration.ofSeconds(5), () -> drainer.getState() == Thread.State.TIMED_WAITING);
        assertNull(drained.get(), "waits while empty");
        b.offer(ping(7));

        drainer.join(5_000);
        assertEquals(7, drained.get().get(0).getPing().getTsMs());
        long start = System.nanoTime();
        assertEquals(List.of(), b.drain(10, 50));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(45), "an empty drain waits its time");
    }
}
