package io.redwatch.collector.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** redwatch_info must give back every INFO field of every sample, though INFO is stored in parts. */
class InfoWritePlannerIT {
    private static TestDatabase db;

    @BeforeAll
    static void open() {
        db = TestDatabase.create(InfoWritePlannerIT.class);
    }

    @AfterAll
    static void drop() throws SQLException {
        db.close();
    }

    @Test
    void everyFieldOfEverySampleIsInTheInfoJsonAtMostAMinuteOld() throws SQLException {
        String instance = "10.2.0.1:6379";
        InfoEvolution evolution = new InfoEvolution(
                InfoText.resource("info-redis-7.0-a.txt"), InfoText.resource("info-redis-7.0-b.txt"), 7);
        // starts just before a UTC midnight so the series also crosses a day partition
        long start = Instant.now().truncatedTo(ChronoUnit.DAYS).toEpochMilli() - 150_000;
        Map<Long, Map<String, String>> sent = new TreeMap<>();
        BatchStore store = new BatchStore(db.dataSource);
        for (int i = 0; i < 36; i++) {
            long ts = start + i * 10_000L;
            InfoText info = evolution.next(10);
            if (i >= 12 && i < 20) {
                info = info.with("maxmemory", "4294967296").with("maxmemory_human", "4.00G");
            }
            if (i == 15) {
                // a typed field whose text no integer column could give back exactly
                info = info.with("connected_clients", "0012");
            }
            if (i == 13 || i == 14) {
                // fields Redis shows only while loading: absent from the bucket's other records
                info = info.plus("Persistence", "loading_eta_seconds", String.valueOf(20 - i))
                        .plus("Persistence", "loading_loaded_perc", i == 13 ? "41.50" : "77.25");
            }
            if (i == 24) {
                // the collector restarts: nothing remembered, the next sample must still be complete
                store = new BatchStore(db.dataSource);
            }
            sent.put(ts, info.flat());
            store.store("agent-history", Records.batch(i + 1, Records.info(info, instance, ts)));
        }
        store.infoBuckets().closeDue(Long.MAX_VALUE); // what the collector's packing thread does

        List<Map<String, Object>> rows = Sql.rows(
                db.dataSource,
                "SELECT ts, maxmemory, connected_clients,"
                        + " info_ts, info::text AS info FROM redwatch_info WHERE instance = ? ORDER BY ts",
                instance);
        assertEquals(sent.size(), rows.size());
        Set<Long> records = new HashSet<>();
        for (Map<String, Object> row : rows) {
            long ts = ((OffsetDateTime) row.get("ts")).toInstant().toEpochMilli();
            long asOf = ((OffsetDateTime) row.get("info_ts")).toInstant().toEpochMilli();
            assertTrue(asOf <= ts && ts - asOf < 60_000, "sample at " + ts + " uses fields from " + asOf);
            records.add(asOf);

            Map<String, String> original = sent.get(ts);
            Map<String, String> expected = new LinkedHashMap<>(sent.get(asOf));
            for (InfoColumns.Column c : InfoColumns.TYPED) {
                if (original.containsKey(c.field())) {
                    expected.put(c.field(), original.get(c.field()));
                }
            }
            Map<String, String> actual = JsonObject.parseFlat((String) row.get("info"));
            assertEquals(original.keySet(), actual.keySet(), "fields at " + ts);
            assertEquals(expected, actual, "values at " + ts);
            assertEquals(Long.parseLong(original.get("maxmemory")), row.get("maxmemory"), "maxmemory at " + ts);
        }
        // records: once a minute (6 in 350 s), and at the first sample, maxmemory set and reset,
        // connected_clients untypable, the restart
        assertTrue(records.size() >= 6 && records.size() <= 11, "records " + records);
        assertTrue(
                Sql.rows(db.dataSource, "SELECT 1 FROM info_buckets").size() >= 1,
                "the bucket before midnight was closed and packed");
        assertEquals(
                "0012",
                Sql.rows(
                                db.dataSource,
                                "SELECT info->>'connected_clients' AS c FROM redwatch_info"
                                        + " WHERE instance = ? AND ts = ?",
                                instance,
                                BatchRows.ts(start + 150_000))
                        .get(0)
                        .get("c"));
    }

    @Test
    void aSampleArrivingAfterItsBucketClosedIsMergedIntoIt() throws SQLException {
        String instance = "10.2.0.2:6379";
        InfoText base = InfoText.resource("info-redis-7.0-b.txt");
        long bucket = Instant.now()
                .truncatedTo(ChronoUnit.HOURS)
                .minus(3, ChronoUnit.HOURS)
                .toEpochMilli();
        BatchStore store = new BatchStore(db.dataSource);
        store.store(
                "agent-late", Records.batch(1, Records.info(base.with("uptime_in_seconds", "1"), instance, bucket)));
        store.store(
                "agent-late",
                Records.batch(2, Records.info(base.with("uptime_in_seconds", "2"), instance, bucket + 1_800_000)));
        // the agent's clock went back: a sample of the closed bucket, then one of a later bucket closes it again
        store.store(
                "agent-late",
                Records.batch(3, Records.info(base.with("uptime_in_seconds", "3"), instance, bucket + 600_000)));
        store.store(
                "agent-late",
                Records.batch(4, Records.info(base.with("uptime_in_seconds", "4"), instance, bucket + 3_600_000)));
        assertEquals(
                List.of(),
                Sql.rows(
                        db.dataSource,
                        "SELECT 1 FROM info_buckets b JOIN instance_ids i ON i.id = b.instance_id WHERE i.instance = ?",
                        instance),
                "commits do not pack buckets: every instance's bucket ends at once, and packing stalled them");
        assertEquals(1, store.infoBuckets().pending());
        assertEquals(1, store.infoBuckets().closeDue(Long.MAX_VALUE));
        assertEquals(0, store.infoBuckets().pending());
        assertEquals(
                List.of("1", "3", "2", "4"),
                Sql.rows(
                                db.dataSource,
                                "SELECT info->>'uptime_in_seconds' AS u"
                                        + " FROM redwatch_info WHERE instance = ? ORDER BY ts",
                                instance)
                        .stream()
                        .map(r -> r.get("u"))
                        .toList());
        assertEquals(
                List.of(2, 1),
                Sql.rows(
                                db.dataSource,
                                "SELECT cardinality(b.times) AS n FROM info_buckets b"
                                        + " JOIN instance_ids i ON i.id = b.instance_id WHERE i.instance = ? ORDER BY b.ts",
                                instance)
                        .stream()
                        .map(r -> r.get("n"))
                        .toList(),
                "the late record is in its bucket");
    }
}
