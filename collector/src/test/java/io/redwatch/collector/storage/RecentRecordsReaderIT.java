package io.redwatch.collector.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.collector.facts.InfoField;
import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.facts.TypedInfo;
import io.redwatch.proto.v1.ConfigValue;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.Record;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a restarted collector reads back for its diagnosis windows is what the agent sent. */
class RecentRecordsReaderIT {
    private static final long NOW =
            Instant.now().truncatedTo(ChronoUnit.SECONDS).toEpochMilli();
    private static final long HOUR = 3_600_000;
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("d MMM HH:mm:ss.SSS", Locale.ENGLISH);
    private static TestDatabase db;
    private static BatchStore store;
    private static RecentRecordsReader history;

    @BeforeAll
    static void open() {
        db = TestDatabase.create(RecentRecordsReaderIT.class);
        store = new BatchStore(db.dataSource);
        history = new RecentRecordsReader(db.dataSource);
    }

    @AfterAll
    static void drop() {
        db.close();
    }

    /** A Redis 7 log line written at {@code tsMs} (UTC, as the test's records are parsed). */
    private static Record log(String instance, long tsMs, String levelAndMessage, long offset) {
        ZonedDateTime t = Instant.ofEpochMilli(tsMs).atZone(ZoneOffset.UTC);
        return Records.log(instance, "12345:M " + LOG_TIME.format(t) + " " + levelAndMessage, t.getYear(), offset);
    }

    private static RecentRecordsReader.Bounds bounds(int logsPerKind) {
        return new RecentRecordsReader.Bounds(NOW - HOUR, NOW - 300_000, logsPerKind, logsPerKind, 20, 90);
    }

    @Test
    void manyInstancesComeBackFromOneReadEachWithItsOwnRecords() {
        store.registerAgent("agent-bulk", "10.2.1.1", "0.1.0", 10_000);
        InfoText info = InfoText.resource("info-redis-7.0-a.txt");
        List<Record> records = new ArrayList<>();
        List<RecentRecordsReader.Wanted> wanted = new ArrayList<>();
        for (int n = 0; n < 50; n++) {
            String instance = "10.2.1.1:" + (7000 + n);
            wanted.add(new RecentRecordsReader.Wanted(instance, "10.2.1.1"));
            records.add(Records.info(info.with("connected_clients", Integer.toString(n)), instance, NOW - 120_000));
            records.add(Records.process(instance, NOW - 110_000, n));
        }
        wanted.add(new RecentRecordsReader.Wanted("10.2.1.1:9999", "10.2.1.1")); // never stored
        store.store("agent-bulk", Records.batch(1, records.toArray(Record[]::new)));

        Map<String, RecentRecords> past = history.load(wanted, bounds(10));

        assertEquals(51, past.size());
        for (int n = 0; n < 50; n++) {
            RecentRecords p = past.get("10.2.1.1:" + (7000 + n));
            assertEquals(1, p.infos().size());
            assertEquals(n, p.infos().get(0).number(InfoField.CONNECTED_CLIENTS).orElseThrow());
            assertEquals(n, p.processes().get(0).getFdPipes());
        }
        assertEquals(0, past.get("10.2.1.1:9999").size(), "an instance with no past gets an empty one");
    }

    @Test
    void everyRecordComesBackAsTheAgentSentIt() {
        String instance = "10.2.0.9:6379";
        String host = "10.2.0.9";
        store.registerAgent("agent-roundtrip", host, "0.1.0", 10_000);
        InfoText info = InfoText.resource("info-redis-7.0-b.txt").with("rdb_last_bgsave_status", "err");
        store.store(
                "agent-roundtrip",
                Records.batch(
                        1,
                        Records.info(info, instance, NOW - 600_000),
                        Records.ping(
                                instance,
                                NOW - 599_000,
                                PingResult.Outcome.ERROR_REPLY,
                                "MISCONF Redis is configured to save RDB snapshots",
                                1530),
                        Records.config(instance, NOW - 598_000),
                        log(instance, NOW - 595_000, "* Full resync requested by replica 127.0.0.1:27802", 8192),
                        Records.host(host, NOW - 597_000, 0),
                        Records.process(instance, NOW - 596_000, 900),
                        // Older than the window asked for: not read.
                        Records.ping(instance, NOW - 2 * HOUR, PingResult.Outcome.PONG, "PONG", 80)));

        RecentRecords past = history.load(instance, host, bounds(200));

        assertEquals(1, past.infos().size());
        TypedInfo sample = past.infos().get(0);
        assertEquals("err", sample.text(InfoField.RDB_LAST_BGSAVE_STATUS).orElseThrow());
        assertEquals(
                info.flat().get("used_memory"),
                sample.text(InfoField.USED_MEMORY).orElseThrow());
        assertEquals(
                info.flat().get("master_repl_offset"),
                sample.text(InfoField.MASTER_REPL_OFFSET).orElseThrow());
        assertEquals(
                info.flat().get("maxmemory_policy"),
                sample.text(InfoField.MAXMEMORY_POLICY).orElseThrow());
        long catalogFieldsInReply = Arrays.stream(InfoField.values())
                .filter(f -> f.keep() != InfoField.Keep.STORAGE && info.flat().containsKey(f.key()))
                .count();
        assertEquals(
                catalogFieldsInReply, sample.size(), "every catalog field of the reply, and nothing else, comes back");
        assertEquals(NOW - 600_000, sample.tsMs());

        assertEquals(1, past.pings().size(), "the ping older than the window is not read");
        PingResult ping = past.pings().get(0);
        assertEquals(PingResult.Outcome.ERROR_REPLY, ping.getOutcome());
        assertTrue(ping.getReply().startsWith("MISCONF"));
        assertEquals(1530, ping.getLatencyUs());

        Map<String, String> config = past.config().getValuesList().stream()
                .collect(Collectors.toMap(ConfigValue::getKey, ConfigValue::getValue));
        assertEquals("yes", config.get("stop-writes-on-bgsave-error"));
        assertEquals("save", past.config().getUnavailable(0).getKey());

        LogLine log = past.logs().get(0);
        assertEquals("Full resync requested by replica 127.0.0.1:27802", log.text());
        assertEquals(LogKind.FULL_RESYNC, log.kind(), "the kind stored at ingest comes back");
        assertEquals(12345, log.pid());
        assertTrue(log.timed());

        assertEquals(900, past.processes().get(0).getFdPipes());
        assertEquals(499, past.processes().get(0).getFdSockets());
        assertEquals(10032, past.processes().get(0).getNofileSoft());

        assertEquals(0, past.host().getOvercommitMemory());
        assertEquals(-1, past.host().getSomaxconn(), "an unreadable fact stays unknown, not 0");
        assertEquals("always", past.host().getThpEnabled());
    }

    @Test
    void infoIsThinnedToOneSampleAMinuteBeforeTheNewestMinutesAndLogsAreCappedPerKind() {
        String instance = "10.2.0.10:6379";
        store.registerAgent("agent-thin", "10.2.0.10", "0.1.0", 10_000);
        InfoText info = InfoText.resource("info-redis-7.0-a.txt");
        List<Record> records = new ArrayList<>();
        long start = NOW - 30 * 60_000;
        for (long ts = start; ts < NOW; ts += 10_000) records.add(Records.info(info, instance, ts));
        for (int i = 0; i < 30; i++) {
            records.add(log(
                    instance,
                    NOW - 1_200_000 + i * 1000L,
                    "* Background saving started by pid " + (200 + i),
                    i * 100L));
        }
        store.store("agent-thin", Records.batch(1, records.toArray(Record[]::new)));

        RecentRecords past = history.load(instance, "10.2.0.10", bounds(10));

        List<Long> times = past.infos().stream().map(TypedInfo::tsMs).toList();
        long recent = times.stream().filter(t -> t >= NOW - 300_000).count();
        long older = times.size() - recent;
        assertEquals(30, recent, "full rate (every 10 s) for the newest five minutes");
        assertTrue(older >= 25 && older <= 26, "one a minute for the 25 minutes before, got " + older);
        assertEquals(times.stream().sorted().toList(), times, "oldest first");

        assertEquals(10, past.logs().size(), "the newest 10 of one kind");
        assertEquals(
                "Background saving started by pid 229",
                past.logs().get(past.logs().size() - 1).text());
        assertNull(past.config());
    }
}
