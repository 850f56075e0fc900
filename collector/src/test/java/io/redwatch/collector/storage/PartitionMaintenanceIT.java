package io.redwatch.collector.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.proto.v1.PingResult;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PartitionMaintenanceIT {
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final int TABLES = 8;
    private static TestDatabase db;
    private static PartitionMaintenance maintenance;
    private static BatchStore store;

    @BeforeAll
    static void open() {
        db = TestDatabase.create(PartitionMaintenanceIT.class);
        maintenance = new PartitionMaintenance(db.dataSource);
        store = new BatchStore(db.dataSource);
    }

    @AfterAll
    static void drop() throws SQLException {
        db.close();
    }

    @Test
    void createsDailyPartitionsAheadAndMovesEarlyArrivalsOutOfTheDefault() throws SQLException {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        assertTrue(partitionExists("pings", today.plusDays(6)), "the migration creates a week ahead");
        maintenance.ensurePartitions(6);
        assertEquals(TABLES * 4, maintenance.ensurePartitions(10), "days 7 to 10 are new, for every table");
        assertEquals(0, maintenance.ensurePartitions(10));

        long in20Days =
                today.plusDays(20).atTime(12, 0).toInstant(ZoneOffset.UTC).toEpochMilli();
        store.store(
                "agent-future",
                Records.batch(1, Records.ping("10.5.0.1:6379", in20Days, PingResult.Outcome.PONG, "PONG", 90)));
        assertEquals("pings_default", partitionOf("10.5.0.1:6379"));
        maintenance.ensurePartitions(21);
        assertEquals("pings_p" + today.plusDays(20).format(SUFFIX), partitionOf("10.5.0.1:6379"));
    }

    @Test
    void retentionDropsOldPartitionsAndOldDefaultRows() throws SQLException {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate old = today.minusDays(35);
        Sql.rows(db.dataSource, "SELECT redwatch_ensure_partitions(0, ?::date)", old.toString());
        long oldTs = old.atTime(8, 0).toInstant(ZoneOffset.UTC).toEpochMilli();
        long olderTs =
                today.minusDays(40).atTime(8, 0).toInstant(ZoneOffset.UTC).toEpochMilli();
        long recentTs =
                today.minusDays(29).atTime(8, 0).toInstant(ZoneOffset.UTC).toEpochMilli();
        store.store(
                "agent-old",
                Records.batch(
                        1,
                        Records.ping("10.6.0.1:6379", oldTs, PingResult.Outcome.PONG, "PONG", 90),
                        Records.ping("10.6.0.2:6379", olderTs, PingResult.Outcome.PONG, "PONG", 90),
                        Records.ping("10.6.0.3:6379", recentTs, PingResult.Outcome.PONG, "PONG", 90)));
        assertEquals("pings_p" + old.format(SUFFIX), partitionOf("10.6.0.1:6379"));
        assertEquals("pings_default", partitionOf("10.6.0.2:6379"));

        assertEquals(TABLES, maintenance.applyRetention(30), "the day 35 days ago, for every table");
        assertTrue(!partitionExists("pings", old));
        assertTrue(partitionExists("pings", today.minusDays(1)), "yesterday's partition stays");
        List<Map<String, Object>> left = Sql.rows(
                db.dataSource, "SELECT instance FROM redwatch_pings WHERE instance LIKE '10.6.%' ORDER BY instance");
        assertEquals(
                List.of("10.6.0.3:6379"),
                left.stream().map(r -> r.get("instance")).toList());
        assertEquals(0, maintenance.applyRetention(30));
    }

    /** Rows an agent with a wrong clock left far ahead (before clocks were bounded) must not sit there for good. */
    @Test
    void retentionEmptiesTheDefaultPartitionsOfFarFutureRows() throws SQLException {
        long year9999 = 253_402_214_400_000L;
        long tomorrowNoon = LocalDate.now(ZoneOffset.UTC)
                .plusDays(1)
                .atTime(12, 0)
                .toInstant(ZoneOffset.UTC)
                .toEpochMilli();
        store.store(
                "agent-year-9999",
                Records.batch(
                        1,
                        Records.ping("10.7.0.1:6379", year9999, PingResult.Outcome.PONG, "PONG", 90),
                        Records.ping("10.7.0.2:6379", tomorrowNoon, PingResult.Outcome.PONG, "PONG", 90)));
        assertEquals("pings_default", partitionOf("10.7.0.1:6379"));
        maintenance.applyRetention(30);
        List<Map<String, Object>> left = Sql.rows(
                db.dataSource, "SELECT instance FROM redwatch_pings WHERE instance LIKE '10.7.%' ORDER BY instance");
        assertEquals(
                List.of("10.7.0.2:6379"),
                left.stream().map(r -> r.get("instance")).toList(),
                "a row in tomorrow's partition stays; the one in year 9999 is gone");
        assertEquals(
                0,
                Sql.rows(db.dataSource, "SELECT 1 FROM redwatch_instances WHERE last_seen > now() + interval '1 day'")
                        .size(),
                "and no instance stays 'seen' in the future");
    }

    private static boolean partitionExists(String table, LocalDate day) throws SQLException {
        return !Sql.rows(db.dataSource, "SELECT 1 FROM pg_class WHERE relname = ?", table + "_p" + day.format(SUFFIX))
                .isEmpty();
    }

    private static String partitionOf(String instance) throws SQLException {
        return (String)
                Sql.rows(db.dataSource, "SELECT tableoid::regclass::text AS p FROM pings WHERE instance = ?", instance)
                        .get(0)
                        .get("p");
    }
}
