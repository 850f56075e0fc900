package io.redwatch.agent.shipping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.spool.Spool;
import io.redwatch.agent.testing.Await;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.Gap;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.Record;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipper on a disk spool against a real gRPC collector, across agent restarts and long outages. */
class SpoolShipperIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static final Logger LOG = Logger.getLogger(SpoolShipperIT.class.getName());
    private static final Shipper.Settings FAST = new Shipper.Settings(10, 1 << 20, 8, 50, 500, 10_000, 20);

    @TempDir
    Path stateDir;

    private final List<Batch> acknowledged = new CopyOnWriteArrayList<>();
    private final RecordBuffer buffer = new RecordBuffer(10_000);
    private Spool spool;
    private Shipper shipper;
    private Thread thread;
    private TestCollector collector;
    private long nextTs = 1;

    @AfterEach
    void stop() throws InterruptedException {
        stopAgent();
        if (collector != null) collector.close();
    }

    private void startAgent(String target, long spoolBytes, long segmentBytes, Shipper.Settings settings)
            throws IOException {
        spool = Spool.open(stateDir.resolve("spool"), spoolBytes, segmentBytes);
        shipper = new Shipper(
                target,
                new Shipper.Identity("agent-7", "cache-host-3", "test", "tok", 1000),
                buffer,
                spool,
                acknowledged::add,
                settings);
        thread = new Thread(shipper, "shipper-under-test");
        thread.start();
    }

    /** As a systemd restart: the shipper stops, the spool is closed, nothing else survives. */
    private void stopAgent() throws InterruptedException {
        if (shipper != null) shipper.stop();
        if (thread != null) thread.join(10_000);
        if (spool != null) spool.close();
        shipper = null;
        thread = null;
        spool = null;
    }

    private void offer(int n, int replyBytes) {
        for (int i = 0; i < n; i++) {
            buffer.offer(Record.newBuilder()
                    .setPing(PingResult.newBuilder()
                            .setTsMs(nextTs++)
                            .setOutcome(PingResult.Outcome.PONG)
                            .setReply("PONG " + "x".repeat(replyBytes)))
                    .build());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private static List<Long> pingTimes(List<Batch> batches) {
        List<Long> ts = new ArrayList<>();
        for (Batch b : batches)
            for (Record r : b.getRecordsList())
                if (r.hasPing()) ts.add(r.getPing().getTsMs());
        return ts;
    }

    /** What the collector stores: the first batch under each number (a resend of a stored number is dropped). */
    private static Map<Long, Batch> stored(List<Batch> received) {
        Map<Long, Batch> bySeq = new LinkedHashMap<>();
        for (Batch b : received) bySeq.putIfAbsent(b.getSeq(), b);
        return bySeq;
    }

    @Test
    void anAgentRestartedWhileTheCollectorIsDownDeliversEveryBatchOnceUnderItsNumber() throws Exception {
        collector = TestCollector.start();
        collector.ackUpTo.set(2);
        // Waiting before the agent starts, so the shipper cuts them into exactly 3 full batches. Offered
        // to a running shipper, they are cut wherever its drain happens to wake (1 + 10 + 10 + 9, ...),
        // and 3 batches may never be seen: the unacknowledged ones are resent after each ack timeout.
        offer(30, 100);
        startAgent(collector.target(), 1 << 20, 64 << 10, FAST);
        Await.until(
                "3 batches received",
                WAIT,
                () -> collector.allBatches().size() == 3,
                () -> collector.allBatches().toString());
        Await.until("1 and 2 acknowledged", WAIT, () -> acknowledged.size() == 2, acknowledged::toString);
        Batch third = collector.allBatches().get(2);
        collector.stop();
        offer(20, 100); // into the spool, never sent
        Thread.sleep(300);

        stopAgent();
        startAgent(collector.target(), 1 << 20, 64 << 10, FAST); // a new process on the same state dir
        offer(10, 100);
        Thread.sleep(300);
        collector.ackUpTo.set(Long.MAX_VALUE);
        collector.startAgain();
        Await.until(
                "all 60 records acknowledged",
                WAIT,
                () -> pingTimes(acknowledged).size() == 60,
                () -> pingTimes(acknowledged).toString());

        List<Batch> received = collector.allBatches();
        Map<Long, Batch> stored = stored(received);
        List<Long> seqs = new ArrayList<>(stored.keySet());
        assertEquals(
                LongStream.rangeClosed(1, seqs.size()).boxed().toList(), seqs, "numbers 1, 2, 3 ... and none twice");
        assertEquals(
                LongStream.rangeClosed(1, 60).boxed().toList(),
                pingTimes(new ArrayList<>(stored.values())),
                "every record stored once, in order");
        Batch resent = received.get(3);
        assertEquals(third, resent, "the unacknowledged batch 3 went again first, byte for byte, under its number");
        assertEquals(received.size(), stored.size() + 1, "only batch 3 was sent twice");
        assertTrue(received.stream().noneMatch(b -> b.getRecords(0).hasGap()), "nothing lost");
    }

    @Test
    void twoHundredMegabytesThroughASixteenMegabyteSpoolKeepTheHeapSmall() throws Exception {
        collector = TestCollector.notStartedOn(freePort());
        long budget = 16L << 20;
        Shipper.Settings bigBatches = new Shipper.Settings(100, 1 << 20, 8, 50, 500, 10_000, 20);
        startAgent(collector.target(), budget, 1L << 20, bigBatches);
        int replyBytes = 8 * 1024;
        long total = 200L << 20;
        long records = total / replyBytes;
        long baseline = usedHeapAfterGc();
        long mostUsed = 0;
        long mostOnDisk = 0;
        for (long i = 0; i < records; i++) {
            while (buffer.size() > 500) {
                Thread.sleep(1);
                mostOnDisk = Math.max(mostOnDisk, spool.diskBytes());
            }
            offer(1, replyBytes);
            if (i % (records / 8) == 0 && i > 0) mostUsed = Math.max(mostUsed, usedHeapAfterGc());
        }
        Await.until("the shipper took every record", WAIT, () -> buffer.size() == 0, () -> buffer.size() + " left");
        mostUsed = Math.max(mostUsed, usedHeapAfterGc());
        mostOnDisk = Math.max(mostOnDisk, spool.diskBytes());
        long grownMb = (mostUsed - baseline) >> 20;
        LOG.info("pushed " + (total >> 20) + " MB through a " + (budget >> 20) + " MB spool: heap after GC "
                + (baseline >> 20) + " MB before, at most " + (mostUsed >> 20) + " MB during; at most "
                + (mostOnDisk >> 10) + " KiB on disk");
        assertTrue(grownMb < 32, "heap grew by " + grownMb + " MB while " + (total >> 20) + " MB went into the spool");
        assertTrue(mostOnDisk <= budget + (1L << 20), "on disk: " + mostOnDisk);

        collector.startAgain();
        Await.until(
                "every record delivered or counted lost",
                WAIT,
                () -> accounted(acknowledged) == records,
                () -> accounted(acknowledged) + " of " + records);
        List<Gap> gaps = acknowledged.stream()
                .flatMap(b -> b.getRecordsList().stream())
                .filter(Record::hasGap)
                .map(Record::getGap)
                .toList();
        assertEquals(1, gaps.size(), gaps.toString());
        assertEquals(1, gaps.get(0).getFromMs(), "the oldest samples gave way");
        List<Long> kept = pingTimes(acknowledged);
        assertEquals(
                LongStream.rangeClosed(records - kept.size() + 1, records)
                        .boxed()
                        .toList(),
                kept);
    }

    private static long accounted(List<Batch> batches) {
        long n = 0;
        for (Batch b : batches)
            for (Record r : b.getRecordsList()) n += r.hasGap() ? r.getGap().getRecordsLost() : 1;
        return n;
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }
}
