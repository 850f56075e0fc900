package io.redwatch.collector.bench;

import com.zaxxer.hikari.HikariDataSource;
import io.redwatch.collector.facts.BatchFacts;
import io.redwatch.collector.storage.BatchStore;
import io.redwatch.collector.storage.Database;
import io.redwatch.collector.storage.GroupCommit;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many rows per second the store path writes, apart from gRPC and diagnosis (whose memory, before
 * the compact windows, ends a 1,000-agent collector run within minutes): the fleet's batches
 * ({@link FleetSample}) stored one transaction per batch on 4 threads (as before group commit), then
 * through {@link GroupCommit} as the collector wires it, then the same rows by raw COPY. Run by
 * {@code deploy/bench/fleet.sh --store-only AGENTS ROUNDS}; not a test.
 */
public final class GroupCommitThroughput {
    private static final List<String> TABLES = List.of(
            "info_samples",
            "info_minutes",
            "pings",
            "log_events",
            "log_line_keys",
            "host_facts",
            "process_facts",
            "config_snapshots");

    private GroupCommitThroughput() {}

    public static void main(String[] args) throws Exception {
        int agents = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        String url = args[2];
        try (HikariDataSource pool = Database.open(url, "postgres", "", 4)) {
            BatchStore store = new BatchStore(pool);
            long t0 = System.currentTimeMillis();
            // before: one transaction per batch, 4 threads (the old shared pool)
            int oneByOneRounds = Math.max(1, rounds / 3);
            long rows0 = rows(url);
            double s1 = timed(() -> {
                ExecutorService threads = Executors.newFixedThreadPool(4);
                for (int r = 1; r <= oneByOneRounds; r++) {
                    CountDownLatch round = new CountDownLatch(agents);
                    for (int a = 0; a < agents; a++) {
                        int agent = a;
                        long n = r;
                        threads.execute(() -> {
                            store.store("single-" + agent, FleetSample.batch(agent, n, n, t0 + n * 10_000));
                            round.countDown();
                        });
                    }
                    round.await();
                }
                threads.shutdown();
            });
            long rows1 = rows(url);
            double perBatch = (rows1 - rows0) / s1;
            System.out.printf(
                    Locale.ROOT,
                    "one transaction per batch (4 threads): %d batches, %d rows in %.1f s: %.0f batches/s, %.0f rows/s%n",
                    (long) agents * oneByOneRounds,
                    rows1 - rows0,
                    s1,
                    agents * oneByOneRounds / s1,
                    perBatch);

            // after: group commit as the collector wires it
            AtomicLong failed = new AtomicLong();
            GroupCommit commits = new GroupCommit(store, 2, 500, Duration.ofMillis(2), 20_000).start();
            double s2 = timed(() -> {
                for (int r = 1; r <= rounds; r++) {
                    CountDownLatch round = new CountDownLatch(agents);
                    for (int a = 0; a < agents; a++) {
                        // agents 100,000 + a: instances of their own, so the rows are all new
                        int agent = 100_000 + a;
                        long n = r;
                        commits.submit(new BatchStore.GroupedBatch(
                                        "group-" + a,
                                        null,
                                        BatchFacts.of(FleetSample.batch(agent, n, n, t0 + n * 10_000)),
                                        0,
                                        0))
                                .whenComplete((result, failure) -> {
                                    if (failure != null) failed.incrementAndGet();
                                    round.countDown();
                                });
                    }
                    round.await();
                }
            });
            long rows2 = rows(url);
            double grouped = (rows2 - rows1) / s2;
            System.out.printf(
                    Locale.ROOT,
                    "group commit (2 committers, up to 500 per group, 2 ms linger): %d batches, %d rows in %.1f s:"
                            + " %.0f batches/s, %.0f rows/s, %.1f batches per transaction, %d failed%n",
                    (long) agents * rounds,
                    rows2 - rows1,
                    s2,
                    agents * rounds / s2,
                    grouped,
                    commits.counters().groupedBatches.get()
                            / (double) Math.max(1, commits.counters().groups.get()),
                    failed.get());
            commits.close();
            double copy = new FleetCheck(url).rawCopyRowsPerSecond(0);
            System.out.printf(
                    Locale.ROOT,
                    "raw COPY of the same rows: %.0f rows/s; group commit / raw COPY = %.2f;"
                            + " one transaction per batch / raw COPY = %.2f%n",
                    copy,
                    grouped / copy,
                    perBatch / copy);
        }
    }

    private interface Work {
        void run() throws Exception;
    }

    private static double timed(Work w) throws Exception {
        long start = System.nanoTime();
        w.run();
        return (System.nanoTime() - start) / 1e9;
    }

    /** Rows in the tables ingest writes (counted, not from statistics, so nothing lags). */
    private static long rows(String url) throws SQLException {
        long n = 0;
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                Statement st = c.createStatement()) {
            for (String t : TABLES) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + t)) {
                    rs.next();
                    n += rs.getLong(1);
                }
            }
        }
        return n;
    }

    static {
        // quiet the collector's INFO lines (pool start, schema version) in the benchmark's output
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    }
}
