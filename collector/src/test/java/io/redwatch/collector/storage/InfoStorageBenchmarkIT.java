package io.redwatch.collector.storage;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.proto.v1.Batch;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Stores a day of INFO samples (10 s interval) of one instance and prints what it costs on disk
 * and how fast it went. Not part of the normal test run: see docs/benchmarks.md for the command.
 */
class InfoStorageBenchmarkIT {
    private static final int SAMPLES_PER_DAY = 8640;
    private static final String INSTANCE = "10.9.0.1:6379";
    private static final String[] INFO_TABLES = {
        "info_samples", "info_errors", "info_buckets", "info_minutes", "instance_ids"
    };

    @Test
    void aDayOfInfoSamples() throws Exception {
        assumeTrue(Boolean.getBoolean("redwatch.benchmark"), "run with -Dredwatch.benchmark=true");
        InfoText before;
        InfoText after;
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            Random random = new Random(1);
            workload(redis, random, 20);
            before = InfoText.parse(redis.call("INFO", "everything"));
            long until = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < until) {
                workload(redis, random, 1);
            }
            after = InfoText.parse(redis.call("INFO", "everything"));
        }
        InfoEvolution evolution = new InfoEvolution(before, after, 42);
        long start = Instant.now()
                .truncatedTo(ChronoUnit.DAYS)
                .minus(1, ChronoUnit.DAYS)
                .toEpochMilli();
        List<InfoText> day = new ArrayList<>(SAMPLES_PER_DAY);
        for (int i = 0; i < SAMPLES_PER_DAY; i++) {
            day.add(evolution.next(10));
        }

        TestDatabase db = TestDatabase.create(InfoStorageBenchmarkIT.class);
        try {
            BatchStore store = new BatchStore(db.dataSource);
            long empty;
            Map<String, Long> emptyByTable = new HashMap<>();
            try (Connection c = db.dataSource.getConnection();
                    Statement st = c.createStatement()) {
                empty = infoBytes(st, null, emptyByTable);
            }
            long t0 = System.nanoTime();
            long rows = 0;
            for (int i = 0; i < SAMPLES_PER_DAY; i++) {
                Batch batch = Records.batch(i + 1, Records.info(day.get(i), INSTANCE, start + i * 10_000L));
                rows += store.store("bench-agent", batch).rowsWritten();
                store.infoBuckets().closeDue(Long.MAX_VALUE); // as the collector's packing thread soon does
                if (i % 360 == 359) {
                    // What autovacuum does on its own: on a one-instance info_minutes it starts after
                    // ~56 dead rows (50 + 20 % of ~30 live), i.e. after two buckets closed, an hour of
                    // samples. The benchmark stores that hour in a second, faster than autovacuum wakes.
                    try (Connection c = db.dataSource.getConnection();
                            Statement st = c.createStatement()) {
                        st.execute("VACUUM info_minutes");
                    }
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            StringBuilder detail = new StringBuilder();
            long stored;
            try (Connection c = db.dataSource.getConnection();
                    Statement st = c.createStatement()) {
                st.execute("CHECKPOINT");
                stored = infoBytes(st, detail, emptyByTable) - empty;
            }
            long fullBytes = fullJsonbBaseline(db, day, start);
            System.out.printf(
                    Locale.ROOT,
                    "INFO storage benchmark: %d samples of %d fields (Redis %s), 10 s apart%n",
                    SAMPLES_PER_DAY,
                    after.flat().size(),
                    after.flat().get("redis_version"));
            System.out.print(detail);
            System.out.printf(
                    Locale.ROOT,
                    "  on disk: %.0f bytes per sample (typed rows + INFO records, incl. indexes,"
                            + " TOAST, free space maps; not counting the %d bytes of the empty tables)%n",
                    (double) stored / SAMPLES_PER_DAY,
                    empty);
            System.out.printf(
                    Locale.ROOT,
                    "  baseline, whole reply as jsonb per sample: %.0f bytes per sample%n",
                    (double) fullBytes / SAMPLES_PER_DAY);
            System.out.printf(
                    Locale.ROOT,
                    "  write: %.0f samples/s, %.0f rows/s (one batch per sample, one" + " transaction each)%n",
                    SAMPLES_PER_DAY / seconds,
                    rows / seconds);
        } finally {
            if (Boolean.getBoolean("redwatch.benchmark.keep")) {
                System.out.println("  kept database " + db.url);
            } else {
                db.close();
            }
        }
    }

    /** The same day stored naively, one jsonb of the whole reply per sample, for comparison. */
    private static long fullJsonbBaseline(TestDatabase db, List<InfoText> day, long start) throws SQLException {
        try (Connection c = db.dataSource.getConnection();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE bench_full_info (instance text NOT NULL, ts timestamptz NOT NULL,"
                    + " info jsonb NOT NULL, PRIMARY KEY (instance, ts))");
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bench_full_info VALUES (?, ?, ?::jsonb)")) {
                for (int i = 0; i < day.size(); i++) {
                    ps.setString(1, INSTANCE);
                    ps.setObject(2, BatchRows.ts(start + i * 10_000L));
                    ps.setString(3, FlatJson.of(day.get(i).flat()));
                    ps.addBatch();
                    if (i % 500 == 499) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
            c.commit();
            c.setAutoCommit(true);
            st.execute("CHECKPOINT");
            return scalar(st, "SELECT pg_total_relation_size('bench_full_info')");
        }
    }

    /**
     * Heap, indexes and TOAST of every INFO table (all partitions); with {@code detail}, listed per
     * table less its size in {@code before}, otherwise recorded into {@code before}.
     */
    private static long infoBytes(Statement st, StringBuilder detail, Map<String, Long> before) throws SQLException {
        long bytes = 0;
        for (String table : INFO_TABLES) {
            long size = scalar(
                    st,
                    "SELECT coalesce((SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits"
                            + " WHERE inhparent = '" + table + "'::regclass), pg_total_relation_size('" + table
                            + "'))");
            bytes += size;
            if (detail == null) {
                if (before != null) {
                    before.put(table, size);
                }
                continue;
            }
            long count = scalar(st, "SELECT count(*) FROM " + table);
            long added = size - before.getOrDefault(table, 0L);
            detail.append(String.format(
                    Locale.ROOT,
                    "  %-13s %6d rows %9d bytes %5.0f B/sample%n",
                    table,
                    count,
                    added,
                    (double) added / SAMPLES_PER_DAY));
        }
        return bytes;
    }

    private static long scalar(Statement st, String sql) throws SQLException {
        try (var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A mixed workload: strings, counters, hashes, lists, sets, sorted sets, expiring keys, a few errors. */
    private static void workload(RedisServerProcess redis, Random random, int rounds) throws IOException {
        for (int r = 0; r < rounds; r++) {
            String[][] cmds = new String[1000][];
            for (int i = 0; i < cmds.length; i++) {
                String key = "k:" + random.nextInt(5000);
                cmds[i] = switch (random.nextInt(12)) {
                    case 0, 1, 2 -> new String[] {"GET", key};
                    case 3, 4 -> new String[] {"SET", key, Long.toString(random.nextLong())};
                    case 5 -> new String[] {"INCR", "counter:" + random.nextInt(100)};
                    case 6 -> new String[] {"HSET", "h:" + random.nextInt(500), "f" + random.nextInt(20), "v"};
                    case 7 -> new String[] {"LPUSH", "l:" + random.nextInt(50), "item"};
                    case 8 -> new String[] {"LPOP", "l:" + random.nextInt(50)};
                    case 9 ->
                        new String[] {"ZADD", "z:" + random.nextInt(50), Integer.toString(random.nextInt(1000)), "m"};
                    case 10 -> new String[] {"SET", "ttl:" + random.nextInt(2000), "v", "EX", "600"};
                    default ->
                        random.nextInt(50) == 0
                                ? new String[] {"INCR", "not-a-number:" + random.nextInt(3)}
                                : new String[] {"SADD", "s:" + random.nextInt(100), "m" + random.nextInt(100)};
                };
            }
            redis.pipeline(cmds);
        }
        redis.call("SET", "not-a-number:0", "x");
    }
}
