package io.redwatch.collector.diagnosis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.redwatch.collector.facts.BatchFacts;
import io.redwatch.collector.rules.Diagnosis;
import io.redwatch.collector.rules.Finding;
import io.redwatch.collector.rules.Thresholds;
import io.redwatch.collector.storage.BatchStore;
import io.redwatch.collector.storage.Database;
import io.redwatch.collector.storage.RecentRecordsReader;
import io.redwatch.collector.testing.FreshDatabase;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.ConfigSnapshot;
import io.redwatch.proto.v1.ConfigValue;
import io.redwatch.proto.v1.FileIdentity;
import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.LogEvent;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.ProcessFacts;
import io.redwatch.proto.v1.Record;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A collector that restarts in the middle of an incident still sees it: the windows of its live
 * diagnosis are filled from PostgreSQL, so a resync loop and a rising pipe count found before the
 * restart are found again at the first evaluation after it (and their alerts do not falsely resolve).
 */
class LiveDiagnosisRestartIT {
    private static final long MINUTE = 60_000;
    private static final String HOST = "10.3.0.1";
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("d MMM HH:mm:ss.SSS", Locale.ENGLISH);
    private static FreshDatabase database;
    private static HikariDataSource db;
    private static BatchStore store;
    private static int seq;

    @BeforeAll
    static void open() {
        database = FreshDatabase.reserve("rw_live_restart");
        db = Database.open(database.url(), FreshDatabase.USER, "");
        store = new BatchStore(db);
        store.registerAgent("agent-restart", HOST, "0.1.0", 10_000);
    }

    @AfterAll
    static void drop() {
        db.close();
        database.close();
    }

    /** What the collector stored before it restarted: three full resyncs and pipes rising from 100. */
    private static void storeTheIncidentSoFar(String instance, long now) {
        store(
                config(instance, now - 50 * MINUTE),
                process(instance, now - 45 * MINUTE, 100),
                log(instance, now - 40 * MINUTE, "Full resync requested by replica 10.3.0.2:6379", 1000),
                log(instance, now - 25 * MINUTE, "Full resync requested by replica 10.3.0.2:6379", 2000),
                process(instance, now - 20 * MINUTE, 160),
                log(instance, now - 10 * MINUTE, "Full resync requested by replica 10.3.0.2:6379", 3000));
    }

    private static LiveDiagnosis restartedCollector(List<List<Finding>> evaluations, HistoryLoader history) {
        return new LiveDiagnosis(
                new Diagnosis(Thresholds.defaults()),
                Duration.ofHours(1),
                Duration.ofSeconds(5),
                (instance, host, findings, now) -> evaluations.add(findings),
                history);
    }

    private static List<String> rules(List<Finding> findings) {
        return findings.stream().map(Finding::rule).toList();
    }

    @Test
    void aLoopAndALeakFoundBeforeTheRestartAreFoundAtTheFirstEvaluationAfterIt() {
        String instance = "10.3.0.1:6379";
        long now = System.currentTimeMillis();
        storeTheIncidentSoFar(instance, now);
        // After the restart the agent's next batch: 170 pipes is under the 256 that alone means a
        // leak; only the rise since 100 shows it.
        Batch live = store(ping(instance, now - 1000), config(instance, now - 900), process(instance, now - 800, 170));

        List<List<Finding>> withHistory = new ArrayList<>();
        LiveDiagnosis diagnosis = restartedCollector(withHistory, new RecentRecordsReader(db)::load);
        diagnosis.observe("agent-1", HOST, BatchFacts.of(live), now);
        assertEquals(0, diagnosis.evaluateDue(now), "not judged before its window is filled");
        assertEquals(1, diagnosis.refillDue(now));
        assertEquals(1, diagnosis.evaluateDue(now));
        List<String> found = rules(withHistory.get(0));
        assertTrue(found.contains("full_resync_loop"), "the loop before the restart was not seen: " + found);
        assertTrue(found.contains("fd_leak_pipes"), "the pipe rise before the restart was not seen: " + found);
        Finding leak = withHistory.get(0).stream()
                .filter(f -> f.rule().equals("fd_leak_pipes"))
                .findFirst()
                .orElseThrow();
        assertTrue(leak.summary().contains("+70 since"), leak.summary());

        // What the collector did before: the same batch judged on its own finds neither.
        List<List<Finding>> withoutHistory = new ArrayList<>();
        LiveDiagnosis forgetful = restartedCollector(withoutHistory, (wanted, bounds) -> Map.of());
        forgetful.observe("agent-1", HOST, BatchFacts.of(live), now);
        forgetful.refillDue(now);
        assertEquals(1, forgetful.evaluateDue(now));
        assertFalse(rules(withoutHistory.get(0)).contains("full_resync_loop"));
        assertFalse(rules(withoutHistory.get(0)).contains("fd_leak_pipes"));
    }

    @Test
    void theStoredConfigLetsTheInstanceBeJudgedWithoutWaitingForTheNextOne() {
        String instance = "10.3.0.1:6380";
        long now = System.currentTimeMillis();
        storeTheIncidentSoFar(instance, now);
        Batch live = store(ping(instance, now - 1000));

        List<List<Finding>> evaluations = new ArrayList<>();
        LiveDiagnosis diagnosis = restartedCollector(evaluations, new RecentRecordsReader(db)::load);
        diagnosis.observe("agent-1", HOST, BatchFacts.of(live), now);
        diagnosis.refillDue(now);
        assertEquals(1, diagnosis.evaluateDue(now), "judged at once: CONFIG came from the database");
        assertTrue(
                rules(evaluations.get(0)).contains("full_resync_loop"),
                rules(evaluations.get(0)).toString());
    }

    @Test
    void anUnreachableDatabaseHoldsTheInstanceBackInsteadOfJudgingItWithoutItsPast() throws Exception {
        String instance = "10.3.0.1:6381";
        long now = System.currentTimeMillis();
        storeTheIncidentSoFar(instance, now);
        Batch live = store(ping(instance, now - 1000), config(instance, now - 900));
        // PostgreSQL as a restarted collector may find it: nothing listens on its port yet.
        PGSimpleDataSource down = new PGSimpleDataSource();
        down.setURL("jdbc:postgresql://127.0.0.1:" + closedPort() + "/" + database.name());
        down.setUser(FreshDatabase.USER);
        down.setConnectTimeout(2);
        RecentRecordsReader unreachable = new RecentRecordsReader(down);
        RecentRecordsReader reachable = new RecentRecordsReader(db);
        boolean[] databaseUp = {false};
        List<List<Finding>> evaluations = new ArrayList<>();
        LiveDiagnosis diagnosis = restartedCollector(
                evaluations, (wanted, bounds) -> (databaseUp[0] ? reachable : unreachable).load(wanted, bounds));
        diagnosis.observe("agent-1", HOST, BatchFacts.of(live), now);

        assertEquals(0, diagnosis.refillDue(now), "the fill failed");
        assertEquals(0, diagnosis.evaluateDue(now));
        assertTrue(evaluations.isEmpty(), "judged without its history");
        databaseUp[0] = true;
        assertEquals(1, diagnosis.refillDue(now + 1000), "the fill is tried again");
        assertEquals(1, diagnosis.evaluateDue(now + 1000), "resumes by itself when the database answers");
        assertTrue(
                rules(evaluations.get(0)).contains("full_resync_loop"),
                rules(evaluations.get(0)).toString());
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Batch store(Record... records) {
        Batch.Builder b = Batch.newBuilder().setSeq(++seq).setCreatedMs(System.currentTimeMillis());
        for (Record r : records) b.addRecords(r);
        Batch batch = b.build();
        store.store("agent-restart", batch);
        return batch;
    }

    private static InstanceRef ref(String instance) {
        return InstanceRef.newBuilder()
                .setInstance(instance)
                .setHost(HOST)
                .setPort(Integer.parseInt(instance.substring(instance.indexOf(':') + 1)))
                .build();
    }

    private static Record config(String instance, long ts) {
        return Record.newBuilder()
                .setConfig(ConfigSnapshot.newBuilder()
                        .setRef(ref(instance))
                        .setTsMs(ts)
                        .addValues(ConfigValue.newBuilder().setKey("save").setValue(""))
                        .addValues(ConfigValue.newBuilder().setKey("appendonly").setValue("no"))
                        .addValues(ConfigValue.newBuilder().setKey("maxclients").setValue("10000")))
                .build();
    }

    private static Record ping(String instance, long ts) {
        return Record.newBuilder()
                .setPing(PingResult.newBuilder()
                        .setRef(ref(instance))
                        .setTsMs(ts)
                        .setOutcome(PingResult.Outcome.PONG)
                        .setReply("PONG")
                        .setLatencyUs(90))
                .build();
    }

    private static Record process(String instance, long ts, int pipes) {
        return Record.newBuilder()
                .setProcess(ProcessFacts.newBuilder()
                        .setRef(ref(instance))
                        .setTsMs(ts)
                        .setPid(4242)
                        .setPidSource("info")
                        .setFdTotal(500 + pipes)
                        .setFdSockets(480)
                        .setFdPipes(pipes)
                        .setFdFiles(20)
                        .setNofileSoft(10032)
                        .setNofileHard(10032))
                .build();
    }

    private static Record log(String instance, long ts, String message, long offset) {
        String line = "4242:M " + LOG_TIME.format(Instant.ofEpochMilli(ts).atZone(ZoneOffset.UTC)) + " * " + message;
        return Record.newBuilder()
                .setLog(LogEvent.newBuilder()
                        .setRef(ref(instance))
                        .setTsMs(ts)
                        .setTsFromLog(true)
                        .setPid(4242)
                        .setRole("M")
                        .setLevel(LogEvent.Level.NOTICE)
                        .setMessage(message)
                        .setRaw(line)
                        .setParsed(true)
                        .setFile("/var/log/redis/redis.log")
                        .setFileId(FileIdentity.newBuilder()
                                .setDevice(2049)
                                .setInode(77)
                                .setHeadFingerprint("ab12")
                                .setHeadLength(1024))
                        .setOffset(offset)
                        .setEndOffset(offset + line.length() + 1))
                .build();
    }
}
