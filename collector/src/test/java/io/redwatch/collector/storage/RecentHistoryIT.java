package io.redwatch.collector.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.proto.v1.ConfigValue;
import io.redwatch.proto.v1.InfoField;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.LogEvent;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.Record;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a restarted collector reads back for its diagnosis windows is what the agent sent. */
class RecentHistoryIT {
    private static final long NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS).toEpochMilli();
    private static final long HOUR = 3_600_000;
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("d MMM HH:mm:ss.SSS", Locale.ENGLISH);
    private static TestDatabase db;
    private static BatchStore store;
    private static RecentHistory history;

    @BeforeAll
    static void open() {
        db = TestDatabase.create(RecentHistoryIT.class);
        store = new BatchStore(db.dataSource);
        history = new RecentHistory(db.dataSource);
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

    @Test
    void everyRecordComesBackAsTheAgentSentIt() {
        String instance = "10.2.0.9:6379";
        String host = "10.2.0.9";
        store.registerAgent("agent-roundtrip", host, "0.1.0", 10_000);
        InfoText info = InfoText.resource("info-redis-7.0-b.txt").with("rdb_last_bgsave_status", "err");
        store.store("agent-roundtrip", Records.batch(1,
                Records.info(info, instance, NOW - 600_000),
                Records.ping(instance, NOW - 599_000, PingResult.Outcome.ERROR_REPLY, "MISCONF Redis is configured to save RDB snapshots", 1530),
                Records.config(instance, NOW - 598_000),
                log(instance, NOW - 595_000, "* Full resync requested by replica 127.0.0.1:27802", 8192),
                Records.host(host, NOW - 597_000, 0),
                Records.process(instance, NOW - 596_000, 900),
                // Older than the window asked for: not read.
                Records.ping(instance, NOW - 2 * HOUR, PingResult.Outcome.PONG, "PONG", 80)));

        RecentRecords past = history.load(instance, host, NOW - HOUR, NOW - 300_000, 200);

        assertEquals(1, past.infos().size());
        Map<String, String> fields = past.infos().get(0).getSections(0).getFieldsList().stream()
                .collect(Collectors.toMap(InfoField::getKey, InfoField::getValue));
        assertEquals("err", fields.get("rdb_last_bgsave_status"));
        assertEquals(info.flat().get("used_memory"), fields.get("used_memory"));
        assertEquals(info.flat().get("master_repl_offset"), fields.get("master_repl_offset"));
        assertFalse(fields.keySet().stream().anyMatch(k -> k.startsWith("cmdstat_")), "commandstats are not kept for the rules");
        assertEquals(NOW - 600_000, past.infos().get(0).getTsMs());

        assertEquals(1, past.pings().size(), "the ping older than the window is not read");
        PingResult ping = past.pings().get(0);
        assertEquals(PingResult.Outcome.ERROR_REPLY, ping.getOutcome());
        assertTrue(ping.getReply().startsWith("MISCONF"));
        assertEquals(1530, ping.getLatencyUs());

        Map<String, String> config = past.config().getValuesList().stream().collect(Collectors.toMap(ConfigValue::getKey, ConfigValue::getValue));
        assertEquals("yes", config.get("stop-writes-on-bgsave-error"));
        assertEquals("save", past.config().getUnavailable(0).getKey());

        LogEvent log = past.logs().get(0);
        assertEquals("Full resync requested by replica 127.0.0.1:27802", log.getMessage());
        assertEquals(LogEvent.Level.NOTICE, log.getLevel());
        assertEquals("M", log.getRole());
        assertEquals(12345, log.getPid());
        assertEquals(8192, log.getOffset());
        assertTrue(log.getTsFromLog());

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
            records.add(log(instance, NOW - 1_200_000 + i * 1000L, "* Background saving started by pid " + (200 + i), i * 100L));
        }
        store.store("agent-thin", Records.batch(1, records.toArray(Record[]::new)));

        RecentRecords past = history.load(instance, "10.2.0.10", NOW - HOUR, NOW - 300_000, 10);

        List<Long> times = past.infos().stream().map(InfoSample::getTsMs).toList();
        long recent = times.stream().filter(t -> t >= NOW - 300_000).count();
        long older = times.size() - recent;
        assertEquals(30, recent, "full rate (every 10 s) for the newest five minutes");
        assertTrue(older >= 25 && older <= 26, "one a minute for the 25 minutes before, got " + older);
        assertEquals(times.stream().sorted().toList(), times, "oldest first");

        assertEquals(10, past.logs().size(), "the newest 10 of one kind");
        assertEquals(2900, past.logs().get(past.logs().size() - 1).getOffset());
        assertNull(past.config());
    }
}
