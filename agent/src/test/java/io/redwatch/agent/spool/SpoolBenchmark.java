package io.redwatch.agent.spool;

import io.redwatch.proto.v1.Batch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Append + number + acknowledge throughput of the spool with its fsync policy (every append, every
 * index change), on the disk holding {@code java.io.tmpdir} or the directory given.
 *
 * <pre>java -cp ... io.redwatch.agent.spool.SpoolBenchmark [BATCHES] [RECORDS_PER_BATCH] [DIR]</pre>
 */
public final class SpoolBenchmark {
    private SpoolBenchmark() {}

    public static void main(String[] args) throws IOException {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int perBatch = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        Path dir = args.length > 2
                ? Files.createTempDirectory(Path.of(args[2]), "spool-bench")
                : Files.createTempDirectory("spool-bench");
        Batch batch = SpoolTest.pings(1, perBatch);
        try (Spool spool = Spool.open(dir, 256L << 20)) {
            // as the shipper runs with a live collector: add, hand out, acknowledge, window of 8
            long start = System.nanoTime();
            long acked = 0;
            for (int i = 0; i < batches; i++) {
                spool.add(batch);
                List<Batch> out = spool.toSend(acked, 8);
                if (!out.isEmpty() && (i % 8 == 7 || i == batches - 1)) {
                    acked = out.get(out.size() - 1).getSeq();
                    spool.acknowledge(acked, b -> {});
                }
            }
            report("add+send+ack, ack every 8", batches, batch.getSerializedSize(), System.nanoTime() - start);

            // a backlog: the collector was away, then takes everything
            start = System.nanoTime();
            for (int i = 0; i < batches; i++) spool.add(batch);
            report("add only (collector away)", batches, batch.getSerializedSize(), System.nanoTime() - start);
            start = System.nanoTime();
            for (List<Batch> w; !(w = spool.toSend(acked, 8)).isEmpty(); ) {
                acked = w.get(w.size() - 1).getSeq();
                spool.acknowledge(acked, b -> {});
            }
            report("drain backlog, window 8", batches, batch.getSerializedSize(), System.nanoTime() - start);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private static void report(String what, int batches, int batchBytes, long nanos) {
        double s = nanos / 1e9;
        System.out.printf(
                "%-28s %6d batches of %7d bytes: %8.0f batches/s %7.1f MB/s%n",
                what, batches, batchBytes, batches / s, batches * (double) batchBytes / (1 << 20) / s);
    }
}
