package io.redwatch.agent.shipping;

import io.redwatch.agent.spool.Spool;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.Record;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * How fast an agent catches up after an outage: a spool holding a backlog of batches and a shipper
 * with its default settings. Without TARGET a gRPC server in this process acknowledges at once, so
 * the figure is the agent's side (reading the spool, the window of acks, gRPC); with TARGET
 * (HOST:PORT of a running plaintext collector) it includes storing every batch in PostgreSQL.
 *
 * <pre>java -cp ... io.redwatch.agent.shipping.ReplayBenchmark [BATCHES] [RECORDS_PER_BATCH] [TARGET]</pre>
 */
public final class ReplayBenchmark {
    private ReplayBenchmark() {}

    /** One batch as a ping-only agent would send each second. */
    private static Batch pings(long ts, int n) {
        Batch.Builder b = Batch.newBuilder().setCreatedMs(ts);
        for (int i = 0; i < n; i++) {
            b.addRecords(Record.newBuilder()
                    .setPing(PingResult.newBuilder()
                            .setRef(InstanceRef.newBuilder()
                                    .setInstance("replay-bench:" + (6379 + i))
                                    .setHost("replay-bench")
                                    .setPort(6379 + i))
                            .setTsMs(ts)
                            .setOutcome(PingResult.Outcome.PONG)
                            .setReply("PONG")
                            .setLatencyUs(120)));
        }
        return b.build();
    }

    public static void main(String[] args) throws Exception {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int perBatch = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String target = args.length > 2 ? args[2] : null;
        Path dir = Files.createTempDirectory("replay-bench");
        AtomicLong acknowledged = new AtomicLong();
        try (Spool spool = Spool.open(dir.resolve("spool"), 256L << 20);
                TestCollector collector = TestCollector.start()) {
            long t0 = System.currentTimeMillis() - batches * 1000L;
            for (int i = 0; i < batches; i++) spool.add(pings(t0 + i * 1000L, perBatch));
            Shipper shipper = new Shipper(
                    target == null ? collector.target() : target,
                    new Shipper.Identity(
                            "replay-bench-" + System.currentTimeMillis(), "replay-bench", "bench", "", 10_000),
                    new RecordBuffer(1000),
                    spool,
                    x -> acknowledged.incrementAndGet(),
                    Shipper.Settings.defaults());
            long start = System.nanoTime();
            Thread thread = new Thread(shipper, "shipper");
            thread.start();
            while (acknowledged.get() < batches) Thread.sleep(1);
            double s = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    "replayed %d batches of %d records in %.2f s: %.0f batches/s%n", batches, perBatch, s, batches / s);
            shipper.stop();
            thread.join();
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }
}
