package io.redwatch.agent.shipping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.spool.Spool;
import io.redwatch.agent.spool.UnackedBatches;
import io.redwatch.agent.testing.Await;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.Gap;
import io.redwatch.proto.v1.Hello;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.Record;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipper against a real gRPC server on localhost: order, resends, Welcome, outages. */
class ShipperIT {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static final Shipper.Settings FAST = new Shipper.Settings(10, 1 << 20, 8, 50, 500, 10_000, 20);

    private final List<Batch> acknowledged = new CopyOnWriteArrayList<>();
    private final RecordBuffer buffer = new RecordBuffer(10_000);
    private Shipper shipper;
    private Thread thread;
    private TestCollector collector;
    private long nextTs = 1;

    @TempDir
    Path stateDir;

    private Spool spool;

    @AfterEach
    void stop() throws InterruptedException {
        if (shipper != null) shipper.stop();
        if (thread != null) thread.join(10_000);
        if (collector != null) collector.close();
        if (spool != null) spool.close();
    }

    private Spool spool(long maxBytes, long segmentBytes) {
        try {
            spool = Spool.open(stateDir.resolve("spool"), maxBytes, segmentBytes);
            return spool;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startShipper(String target, UnackedBatches unacked) {
        shipper = new Shipper(
                target,
                new Shipper.Identity("agent-7", "cache-host-3", "test", "tok", 1000),
                buffer,
                unacked,
                acknowledged::add,
                FAST);
        thread = new Thread(shipper, "shipper-under-test");
        thread.start();
    }

    /** Offers {@code n} PING records with increasing timestamps (1, 2, 3, ... over the whole test). */
    private void offer(int n) {
        for (int i = 0; i < n; i++) {
            buffer.offer(Record.newBuilder()
                    .setPing(PingResult.newBuilder()
                            .setTsMs(nextTs++)
                            .setOutcome(PingResult.Outcome.PONG)
                            .setReply("PONG " + "x".repeat(100)))
                    .build());
        }
    }

    private static List<Long> seqs(List<Batch> batches) {
        return batches.stream().map(Batch::getSeq).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private static long records(List<Batch> batches) {
        return batches.stream().mapToLong(Batch::getRecordsCount).sum();
    }

    /** The PING timestamps in these batches, in order: the records as the samplers produced them. */
    private static List<Long> pingTimes(List<Batch> batches) {
        List<Long> ts = new ArrayList<>();
        for (Batch b : batches)
            for (Record r : b.getRecordsList())
                if (r.hasPing()) ts.add(r.getPing().getTsMs());
        return ts;
    }

    @Test
    void batchesArriveInOrderNumberedFromOne() throws InterruptedException {
        collector = TestCollector.start();
        startShipper(collector.target(), spool(1 << 20, 64 << 10));
        offer(35);

        Await.until(
                "35 records acknowledged",
                WAIT,
                () -> records(acknowledged) == 35,
                () -> seqs(collector.allBatches()).toString());

        List<Batch> received = collector.allBatches();
        assertEquals(range(1, received.size()), seqs(received));
        assertTrue(received.size() >= 4, "at most 10 records a batch: " + received.size());
        assertEquals(range(1, 35), pingTimes(received));
        assertEquals(seqs(received), seqs(acknowledged), "each batch acknowledged once, in order");
        Hello hello = collector.hellos.get(0);
        assertEquals("agent-7", hello.getAgentId());
        assertEquals("cache-host-3", hello.getHostname());
        assertEquals("", hello.getToken(), "the token travels in the call metadata, not in the hello");
        io.grpc.Metadata headers = collector.headers.get(0);
        assertEquals(
                "Bearer tok",
                headers.get(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER)));
        assertEquals(
                "agent-7",
                new String(
                        headers.get(io.grpc.Metadata.Key.of(
                                "redwatch-agent-id-bin", io.grpc.Metadata.BINARY_BYTE_MARSHALLER)),
                        java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(0, hello.getLastAckedSeq());
        assertEquals(1000, hello.getIntervalMs());
    }

    @Test
    void afterACollectorRestartUnacknowledgedBatchesAreResentUnderTheirOriginalNumbers() throws InterruptedException {
        collector = TestCollector.start();
        collector.ackUpTo.set(1);
        startShipper(collector.target(), spool(1 << 20, 64 << 10));
        for (int i = 0; i < 3; i++) {
            offer(10);
            long want = 10L * (i + 1);
            Await.until(
                    want + " records received",
                    WAIT,
                    () -> records(collector.allBatches()) == want,
                    () -> seqs(collector.allBatches()).toString());
        }
        Await.until("batch 1 acknowledged", WAIT, () -> acknowledged.size() == 1, acknowledged::toString);
        List<Batch> beforeCrash = List.copyOf(collector.allBatches());
        int streamsBefore = collector.streams.size();

        collector.stop();
        offer(10); // sampled while the collector is down
        Thread.sleep(300);
        collector.ackUpTo.set(Long.MAX_VALUE);
        long restartedAt = System.nanoTime();
        collector.startAgain();
        Await.until(
                "all 40 records acknowledged",
                WAIT,
                () -> records(acknowledged) == 40,
                () -> seqs(acknowledged).toString());
        long reconnectMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt);

        List<Batch> afterRestart = new ArrayList<>();
        for (List<Batch> s : collector.streams.subList(streamsBefore, collector.streams.size())) afterRestart.addAll(s);
        List<Batch> unacknowledged = beforeCrash.subList(1, beforeCrash.size());
        assertEquals(
                unacknowledged,
                afterRestart.subList(0, unacknowledged.size()),
                "the same batches, byte for byte, under the same numbers");
        assertEquals(range(2, afterRestart.size() + 1), seqs(afterRestart), "then new numbers continue");
        assertEquals(
                range(1, acknowledged.size()), seqs(acknowledged), "the ack listener sees each batch exactly once");
        assertEquals(range(1, 40), pingTimes(acknowledged));
        assertEquals(1, collector.hellos.get(collector.hellos.size() - 1).getLastAckedSeq());
        assertTrue(reconnectMs < 5000, "back within the shipper's backoff: " + reconnectMs + " ms");
    }

    @Test
    void welcomeWithLastStoredSeqMovesNumberingAndAcknowledgesStoredBatches() throws InterruptedException {
        collector = TestCollector.start();
        collector.welcomeSeq.set(41);
        collector.ackUpTo.set(0); // stores nothing visible: no acks
        startShipper(collector.target(), spool(1 << 20, 64 << 10));
        for (int i = 0; i < 3; i++) {
            offer(1);
            int want = i + 1;
            Await.until(
                    want + " batches received",
                    WAIT,
                    () -> collector.allBatches().size() == want,
                    () -> seqs(collector.allBatches()).toString());
        }
        assertEquals(
                List.of(42L, 43L, 44L), seqs(collector.allBatches()), "an agent with wiped state continues above 41");
        assertEquals(List.of(), acknowledged);

        // The collector stored 42 and 43 but their acks were lost with the connection.
        collector.welcomeSeq.set(43);
        collector.ackUpTo.set(Long.MAX_VALUE);
        int streamsBefore = collector.streams.size();
        collector.dropStreams();
        Await.until(
                "44 acknowledged",
                WAIT,
                () -> acknowledged.size() == 3,
                () -> seqs(acknowledged).toString());
        offer(1);
        Await.until(
                "a new batch acknowledged",
                WAIT,
                () -> acknowledged.size() == 4,
                () -> seqs(acknowledged).toString());

        List<Batch> second = collector.streams.get(collector.streams.size() - 1);
        assertEquals(streamsBefore + 1, collector.streams.size());
        assertEquals(List.of(44L, 45L), seqs(second), "42 and 43 are not sent again");
        assertEquals(List.of(42L, 43L, 44L, 45L), seqs(acknowledged));
        assertEquals(List.of(1L, 2L, 3L, 4L), pingTimes(acknowledged));
    }

    @Test
    void withTheCollectorDownTheSpoolStaysWithinItsBudgetAndTheLossArrivesAsAGap()
            throws InterruptedException, IOException {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            port = s.getLocalPort();
        }
        collector = TestCollector.notStartedOn(port);
        long budget = 16 << 10;
        long segment = 4 << 10;
        Spool unacked = spool(budget, segment);
        startShipper(collector.target(), unacked);
        long mostHeld = 0;
        for (int i = 0; i < 30; i++) {
            offer(10);
            Thread.sleep(30);
            mostHeld = Math.max(mostHeld, unacked.diskBytes());
        }
        long offered = nextTs - 1;
        // a segment's worth of slack: a segment is closed once it passes its size, with the batch that passed it
        assertTrue(mostHeld <= budget + segment, "held " + mostHeld + " bytes with a budget of " + budget);

        long startedAt = System.nanoTime();
        collector.startAgain();
        Await.until(
                "every record delivered or counted lost",
                WAIT,
                () -> accounted(collector.allBatches()) == offered,
                () -> accounted(collector.allBatches()) + " of " + offered);
        long reconnectMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);

        List<Batch> received = collector.allBatches();
        List<Gap> gaps = received.stream()
                .flatMap(b -> b.getRecordsList().stream())
                .filter(Record::hasGap)
                .map(Record::getGap)
                .toList();
        assertEquals(1, gaps.size(), "one gap for the whole outage: " + gaps);
        assertTrue(gaps.get(0).getRecordsLost() > 0);
        assertEquals(1, gaps.get(0).getFromMs(), "the loss starts at the first sample");
        assertEquals(range(1, received.size()), seqs(received));
        List<Long> kept = pingTimes(received);
        assertEquals(range(offered - kept.size() + 1, offered), kept, "the newest samples are the ones kept");
        assertTrue(reconnectMs < 5000, "reconnected after " + reconnectMs + " ms");
    }

    private static long accounted(List<Batch> batches) {
        long n = 0;
        for (Batch b : batches)
            for (Record r : b.getRecordsList()) n += r.hasGap() ? r.getGap().getRecordsLost() : 1;
        return n;
    }
}
