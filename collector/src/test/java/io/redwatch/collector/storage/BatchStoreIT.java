package io.redwatch.collector.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.collector.testing.FreshDatabase;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.ConfigValue;
import io.redwatch.proto.v1.Gap;
import io.redwatch.proto.v1.LogEvent;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.Record;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BatchStoreIT {
    private static TestDatabase db;
    private static BatchStore store;
    private static final long T0 = Instant.now()
            .truncatedTo(ChronoUnit.SECONDS)
            .minus(1, ChronoUnit.HOURS)
            .toEpochMilli();

    @BeforeAll
    static void open() {
        db = TestDatabase.create(BatchStoreIT.class);
        store = new BatchStore(db.dataSource);
    }

    @AfterAll
    static void drop() throws SQLException {
        db.close();
    }

    @Test
    void migratesAnEmptyDatabaseOnceAndExposesEveryView() throws SQLException {
        List<Map<String, Object>> history = rows("SELECT version, success FROM flyway_schema_history"
                + " WHERE version IS NOT NULL ORDER BY installed_rank");
        assertEquals(
                List.of("1", "2", "3", "4", "5", "6"),
                history.stream().map(r -> r.get("version")).toList());
        assertTrue(history.stream().allMatch(r -> Boolean.TRUE.equals(r.get("success"))));
        assertEquals(0, Database.migrate(db.dataSource), "a second migrate has nothing to do");
        for (String view : List.of(
                "redwatch_instances",
                "redwatch_info",
                "redwatch_pings",
                "redwatch_log_events",
                "redwatch_host_facts",
                "redwatch_process_facts",
                "redwatch_config",
                "redwatch_agents",
                "redwatch_gaps",
                "redwatch_dead_letters")) {
            rows("SELECT * FROM " + view + " LIMIT 1");
        }
    }

    @Test
    void everyRecordTypeShowsUpInItsView() throws SQLException {
        String agent = "agent-every-type";
        String instance = "10.1.0.7:6379";
        store.registerAgent(agent, "redis-a.example", "0.1.0", 10_000);
        InfoText info = InfoText.resource("info-redis-7.0-b.txt").with("rdb_last_bgsave_status", "err");
        StoreResult result = store.store(
                agent,
                Records.batch(
                        1,
                        Records.info(info, instance, T0),
                        Records.ping(
                                instance,
                                T0 + 1,
                                PingResult.Outcome.ERROR_REPLY,
                                "MISCONF Redis is configured to save RDB snapshots",
                                1530),
                        Records.config(instance, T0 + 2),
                        Records.log(
                                instance,
                                "[55231] 11 Aug 10:43:12.034 # Can't save in background: fork: Cannot allocate memory",
                                2015,
                                4096),
                        Records.host("redis-a.example", T0 + 3, 0),
                        Records.process(instance, T0 + 4, 9823),
                        Record.newBuilder()
                                .setGap(Gap.newBuilder()
                                        .setFromMs(T0 - 60_000)
                                        .setToMs(T0 - 1_000)
                                        .setRecordsLost(42)
                                        .setBatchesLost(3)
                                        .setReason("spool full (64 MiB)"))
                                .build()));
        assertFalse(result.duplicate());
        assertEquals(8, result.rowsWritten(), "7 records, INFO as a keyframe plus its sample row");

        Map<String, Object> inst = one("SELECT * FROM redwatch_instances WHERE instance = ?", instance);
        assertEquals("10.1.0.7", inst.get("host"));
        assertEquals(6379, inst.get("port"));
        assertEquals("master", inst.get("role"));
        assertEquals("7.0.15", inst.get("redis_version"));
        assertEquals(agent, inst.get("agent_id"));
        assertEquals(Instant.ofEpochMilli(T0 + 4), ((OffsetDateTime) inst.get("last_seen")).toInstant());

        Map<String, String> fields = info.flat();
        Map<String, Object> row = one("SELECT * FROM redwatch_info WHERE instance = ?", instance);
        assertEquals(Instant.ofEpochMilli(T0), ((OffsetDateTime) row.get("ts")).toInstant());
        assertEquals(Long.parseLong(fields.get("used_memory")), row.get("used_memory"));
        assertEquals(Long.parseLong(fields.get("used_memory_rss")), row.get("used_memory_rss"));
        assertEquals(Long.parseLong(fields.get("maxmemory")), row.get("maxmemory"));
        assertEquals(Integer.parseInt(fields.get("connected_clients")), row.get("connected_clients"));
        assertEquals(Long.parseLong(fields.get("master_repl_offset")), row.get("master_repl_offset"));
        assertEquals("err", row.get("rdb_last_bgsave_status"));
        assertNull(row.get("master_link_status"), "a master has no master_link_status");
        assertEquals(0, row.get("loading"));
        assertEquals(fields, jsonMap(instance, T0));

        Map<String, Object> ping = one("SELECT * FROM redwatch_pings WHERE instance = ?", instance);
        assertEquals("MISCONF Redis is configured to save RDB snapshots", ping.get("reply"));
        assertEquals(0, new java.math.BigDecimal("1.53").compareTo((java.math.BigDecimal) ping.get("latency_ms")));
        assertEquals("error_reply", ping.get("outcome"));

        Map<String, Object> config = one(
                "SELECT config->>'stop-writes-on-bgsave-error' AS swobe,"
                        + " unavailable->>'save' AS save FROM redwatch_config WHERE instance = ?",
                instance);
        assertEquals("yes", config.get("swobe"));
        assertEquals("ERR unknown command 'CONFIG'", config.get("save"));

        Map<String, Object> log = one("SELECT * FROM redwatch_log_events WHERE instance = ?", instance);
        assertEquals(55231, log.get("pid"));
        assertNull(log.get("role"), "Redis 2.x lines carry no role letter");
        assertEquals("warning", log.get("level"));
        assertEquals("Can't save in background: fork: Cannot allocate memory", log.get("message"));
        assertEquals("fork_failed", log.get("kind"), "each line is stored with what it means");
        assertEquals(4096L, log.get("file_offset"));
        assertEquals(Boolean.TRUE, log.get("parsed"));
        assertEquals(Boolean.FALSE, log.get("truncated"));
        assertEquals("/var/log/redis/redis.log", log.get("file"));
        assertEquals(
                OffsetDateTime.parse("2015-08-11T10:43:12.034Z").toInstant(),
                ((OffsetDateTime) log.get("ts")).toInstant());

        Map<String, Object> host = one("SELECT * FROM redwatch_host_facts WHERE host = ?", "redis-a.example");
        assertEquals(66_571_993_088L, host.get("mem_total"));
        assertEquals(29_001_234_432L, host.get("mem_available"));
        assertEquals(0L, host.get("swap_free"));
        assertEquals(33_285_996_544L, host.get("commit_limit"));
        assertEquals(40_123_456_789L, host.get("committed_as"));
        assertEquals(0, host.get("overcommit_memory"));
        assertEquals("always", host.get("thp"));
        assertNull(host.get("somaxconn"), "-1 (unknown) is stored as null");
        assertEquals(12.5, host.get("iowait_pct"));

        Map<String, Object> proc = one("SELECT * FROM redwatch_process_facts WHERE instance = ?", instance);
        assertEquals(12345, proc.get("pid"));
        assertEquals(10334L, proc.get("fd_total"));
        assertEquals(499L, proc.get("fd_sockets"));
        assertEquals(9823L, proc.get("fd_pipes"));
        assertEquals(10L, proc.get("fd_files"));
        assertEquals(0L, proc.get("fd_other"));
        assertEquals(10032L, proc.get("fd_limit"));
        assertEquals(29_582_000_000L, proc.get("rss"));
        assertEquals(2L, proc.get("anon_inodes"));

        Map<String, Object> gap = one("SELECT * FROM redwatch_gaps WHERE agent_id = ?", agent);
        assertEquals(42L, gap.get("records_lost"));
        assertEquals(3L, gap.get("batches_lost"));
        assertEquals("redis-a.example", gap.get("host"));
        assertEquals(1L, gap.get("batch_seq"));

        Map<String, Object> agentRow = one("SELECT * FROM redwatch_agents WHERE agent_id = ?", agent);
        assertEquals(1L, agentRow.get("last_seq"));
        assertEquals(10_000, agentRow.get("interval_ms"));
        assertEquals(1L, store.lastStoredSeq(agent));
    }

    @Test
    void theSameBatchTwiceIsStoredOnce() throws SQLException {
        String agent = "agent-resend";
        String instance = "10.1.0.8:6379";
        Batch batch = Records.batch(
                7,
                Records.ping(instance, T0, PingResult.Outcome.PONG, "PONG", 200),
                Records.ping(instance, T0 + 10_000, PingResult.Outcome.TIMEOUT, "timeout after 2000 ms", 2_000_000),
                Records.process(instance, T0, 12));
        assertEquals(new StoreResult(false, 3), store.store(agent, batch));
        assertEquals(new StoreResult(true, 0), store.store(agent, batch));
        assertEquals(
                new StoreResult(true, 0),
                store.store(
                        agent,
                        Records.batch(5, Records.ping(instance, T0 - 10_000, PingResult.Outcome.PONG, "PONG", 100))),
                "older seq");
        assertEquals(
                2L,
                one("SELECT count(*) AS n FROM redwatch_pings WHERE instance = ?", instance)
                        .get("n"));
        assertEquals(
                1L,
                one("SELECT count(*) AS n FROM redwatch_process_facts WHERE instance = ?", instance)
                        .get("n"));
        assertEquals(7L, store.lastStoredSeq(agent));
        assertEquals(0L, store.lastStoredSeq("agent-never-seen"));
        assertEquals(
                7L, store.registerAgent(agent, "redis-a.example", "0.1.0", 10_000), "a hello learns the stored seq");
        assertEquals(0L, store.registerAgent("agent-first-hello", "redis-new", "0.1.0", 10_000));
    }

    @Test
    void aLogLineResentUnderANewSequenceNumberIsStoredOnce() throws SQLException {
        String agent = "agent-log-resend";
        String instance = "10.1.0.9:6379";
        String line = "12345:M 18 Aug 11:24:38.122 # WARNING overcommit_memory is set to 0! Background save may fail"
                + " under low memory condition.";
        Record first = Records.log(instance, line, 2016, 100);
        Record next = Records.log(
                instance,
                "12345:M 18 Aug 11:26:53.523 * Background saving started by pid 17147",
                2016,
                100 + line.length() + 1);
        assertFalse(store.store(agent, Records.batch(1, first)).duplicate());
        // the agent lost its acknowledgement state and reads the file again from the same offset
        StoreResult resent = store.store(agent, Records.batch(2, first, next));
        assertFalse(resent.duplicate());
        List<Map<String, Object>> lines = rows(
                "SELECT file_offset, message FROM redwatch_log_events" + " WHERE instance = ? ORDER BY file_offset",
                instance);
        assertEquals(2, lines.size());
        assertEquals(100L, lines.get(0).get("file_offset"));
        assertEquals("Background saving started by pid 17147", lines.get(1).get("message"));
    }

    @Test
    void anUnparsedLogLineResentWithAnotherReadTimeIsStoredOnce() throws SQLException {
        String agent = "agent-unparsed-resend";
        String instance = "10.1.0.11:6379";
        String line = "Killed";
        LogEvent read = Records.log(instance, line, 2016, 8192).getLog();
        assertFalse(read.getTsFromLog(), "a line with no timestamp of its own");
        Record first = Record.newBuilder().setLog(read.toBuilder().setTsMs(T0)).build();
        // the agent restarted, read the line again a day later (another day partition) and sent it under a new seq
        Record again = Record.newBuilder()
                .setLog(read.toBuilder().setTsMs(T0 + 86_400_000L))
                .build();
        assertEquals(1, store.store(agent, Records.batch(1, first)).rowsWritten());
        assertEquals(0, store.store(agent, Records.batch(2, again)).rowsWritten());
        List<Map<String, Object>> rows = rows("SELECT ts, raw FROM redwatch_log_events WHERE instance = ?", instance);
        assertEquals(1, rows.size());
        assertEquals(
                Instant.ofEpochMilli(T0),
                ((OffsetDateTime) rows.get(0).get("ts")).toInstant(),
                "the first read is kept");

        Record otherOffset = Record.newBuilder()
                .setLog(read.toBuilder().setTsMs(T0).setOffset(8199))
                .build();
        Record otherFile = Record.newBuilder()
                .setLog(read.toBuilder()
                        .setTsMs(T0)
                        .setFileId(read.getFileId().toBuilder().setInode(77)))
                .build();
        assertEquals(
                2,
                store.store(agent, Records.batch(3, otherOffset, otherFile)).rowsWritten(),
                "the same text at another offset or in another file is another line");
    }

    @Test
    void nulCharactersAreStoredReplacedInsteadOfFailingTheBatch() throws SQLException {
        String agent = "agent-nul";
        String instance = "10.1.0.12:6379";
        String line = "12345:M 18 Aug 11:24:38.122 # client name a\u0000b: \u0000 in the log";
        InfoText info = InfoText.resource("info-redis-7.0-b.txt")
                .with("executable", "/usr/bin/redis\u0000server")
                .with("rdb_last_bgsave_status", "e\u0000rr");
        Record config = Record.newBuilder()
                .setConfig(Records.config(instance, T0).getConfig().toBuilder()
                        .addValues(ConfigValue.newBuilder().setKey("dir\u0000").setValue("/var/lib/\u0000redis")))
                .build();
        Record log = Records.log(instance, line, 2016, 0);
        Record garbage = Records.log(instance, "\u0000\u0000 binary junk", 2016, 200);
        StoreResult result =
                store.store(agent, Records.batch(1, Records.info(info, instance, T0), log, garbage, config));
        assertEquals(5, result.rowsWritten(), "INFO sample and record, two log lines, config");

        List<Map<String, Object>> lines = rows(
                "SELECT raw, message FROM redwatch_log_events WHERE instance = ?" + " ORDER BY file_offset", instance);
        assertEquals(line.replace('\u0000', '\uFFFD'), lines.get(0).get("raw"));
        assertEquals("client name a\uFFFDb: \uFFFD in the log", lines.get(0).get("message"));
        assertEquals("\uFFFD\uFFFD binary junk", lines.get(1).get("raw"));
        Map<String, Object> row = one(
                "SELECT info->>'executable' AS executable, rdb_last_bgsave_status"
                        + " FROM redwatch_info WHERE instance = ?",
                instance);
        assertEquals("/usr/bin/redis\uFFFDserver", row.get("executable"));
        assertEquals("e\uFFFDrr", row.get("rdb_last_bgsave_status"));
        assertEquals(
                "/var/lib/\uFFFDredis",
                one("SELECT config->>'dir\uFFFD' AS dir FROM redwatch_config" + " WHERE instance = ?", instance)
                        .get("dir"));
    }

    @Test
    void anUnparsedLogLineIsKeptRaw() throws SQLException {
        String instance = "10.1.0.10:6379";
        String garbage = "this is not a redis log line: \u0001 kept anyway";
        store.store("agent-raw", Records.batch(1, Records.log(instance, garbage, 2016, 0)));
        Map<String, Object> row =
                one("SELECT raw, parsed, level FROM redwatch_log_events WHERE instance = ?", instance);
        assertEquals(garbage, row.get("raw"));
        assertEquals(Boolean.FALSE, row.get("parsed"));
        assertNull(row.get("level"));
    }

    @Test
    void aUserWhoMayNotCreateTheDatabaseGetsAClearError() throws SQLException {
        try (Connection c = DriverManager.getConnection(FreshDatabase.SERVER + "postgres", FreshDatabase.USER, "");
                Statement st = c.createStatement()) {
            st.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rw_no_createdb') THEN"
                    + " CREATE ROLE rw_no_createdb LOGIN NOCREATEDB; END IF; END $$");
        }
        try {
            StorageException e = assertThrows(
                    StorageException.class,
                    () -> Database.open(
                            FreshDatabase.SERVER + "rw_never_created_" + System.nanoTime(), "rw_no_createdb", ""));
            assertTrue(e.getMessage().contains("may not create databases"), e.getMessage());
        } finally {
            try (Connection c = DriverManager.getConnection(FreshDatabase.SERVER + "postgres", FreshDatabase.USER, "");
                    Statement st = c.createStatement()) {
                st.execute("DROP ROLE IF EXISTS rw_no_createdb");
            }
        }
    }

    private static Map<String, String> jsonMap(String instance, long tsMs) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map<String, Object> r : rows(
                "SELECT e.key, e.value FROM redwatch_info i, jsonb_each_text(i.info) e"
                        + " WHERE i.instance = ? AND i.ts = ?",
                instance,
                BatchRows.ts(tsMs))) {
            out.put((String) r.get("key"), (String) r.get("value"));
        }
        return out;
    }

    static Map<String, Object> one(String sql, Object... args) throws SQLException {
        List<Map<String, Object>> rows = rows(sql, args);
        assertEquals(1, rows.size(), "rows of " + sql);
        return rows.get(0);
    }

    static List<Map<String, Object>> rows(String sql, Object... args) throws SQLException {
        return Sql.rows(db.dataSource, sql, args);
    }
}
