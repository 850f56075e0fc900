package io.redwatch.agent.tailing;

import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Tails a generated log of realistic Redis lines and prints throughput and allocation per line.
 *
 * <p>Run from the agent module after {@code mvn -o test-compile}:
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat cp.txt) io.redwatch.agent.tailing.TailBenchmark [MB] [dir]
 * </pre>
 * ({@code mvn -o dependency:build-classpath -Dmdep.outputFile=cp.txt} writes cp.txt.)
 */
public final class TailBenchmark {
    private TailBenchmark() {}

    public static void main(String[] args) throws IOException {
        long megabytes = args.length > 0 ? Long.parseLong(args[0]) : 200;
        Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("tail-benchmark");
        Path log = dir.resolve("redis.log");
        long written = generate(log, megabytes * 1024 * 1024);
        System.out.printf(Locale.ROOT, "generated %s: %,d bytes%n", log, written);

        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (int round = 1; round <= 3; round++) { // the first round includes JIT warm-up
            Path state = Files.createTempDirectory(dir, "state");
            long lines = 0;
            long bytes = 0;
            long allocBefore = threads.getThreadAllocatedBytes(thread);
            long start = System.nanoTime();
            try (LogTailer tailer = new LogTailer(
                    log, new TailPositionStore(state), LogTailer.DEFAULT_MAX_LINE_BYTES, Long.MAX_VALUE)) {
                for (List<RawLine> batch = tailer.poll(1000); !batch.isEmpty(); batch = tailer.poll(1000)) {
                    lines += batch.size();
                    bytes = batch.get(batch.size() - 1).endOffset();
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long alloc = threads.getThreadAllocatedBytes(thread) - allocBefore;
            System.out.printf(
                    Locale.ROOT,
                    "round %d: %,d lines, %,d bytes in %.2f s: %,.0f lines/s, %.1f MB/s, %.0f bytes allocated/line "
                            + "(avg line %.0f bytes)%n",
                    round,
                    lines,
                    bytes,
                    seconds,
                    lines / seconds,
                    bytes / seconds / 1e6,
                    (double) alloc / lines,
                    (double) bytes / lines);
        }
        Files.delete(log);
    }

    /** Writes Redis log lines shaped like the seed post-mortems', with advancing times and varying numbers. */
    private static long generate(Path log, long size) throws IOException {
        // "<pid>:<role> <date> <time> <level> <message>" minus the part before the level
        List<String> seed = TailerTestBase.seedLines().stream()
                .map(l -> l.replaceFirst("^.*?\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ", ""))
                .toList();
        Random random = new Random(1);
        long written = 0;
        try (BufferedWriter w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            StringBuilder line = new StringBuilder(256);
            long millis = 0;
            while (written < size) {
                String template = seed.get(random.nextInt(seed.size()));
                millis += random.nextInt(2000);
                line.setLength(0);
                line.append(1000 + random.nextInt(60000))
                        .append(":M ")
                        .append(String.format(
                                Locale.ROOT,
                                "%02d Mar %02d:%02d:%02d.%03d ",
                                1 + millis / 86_400_000 % 28,
                                millis / 3_600_000 % 24,
                                millis / 60_000 % 60,
                                millis / 1000 % 60,
                                millis % 1000))
                        .append(template)
                        .append('\n');
                w.append(line);
                written += line.length(); // the seed lines are ASCII
            }
        }
        return written;
    }
}
