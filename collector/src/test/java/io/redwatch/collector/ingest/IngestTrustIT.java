package io.redwatch.collector.ingest;

import static io.redwatch.collector.ingest.TrustRig.batch;
import static io.redwatch.collector.ingest.TrustRig.ping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.redwatch.agent.Agent;
import io.redwatch.agent.testing.Await;
import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.collector.CollectorMainAccess;
import io.redwatch.collector.testing.FreshDatabase;
import io.redwatch.collector.testing.LogCapture;
import io.redwatch.collector.testing.WireClient;
import io.redwatch.proto.v1.CollectorMessage;
import io.redwatch.proto.v1.HostFacts;
import io.redwatch.proto.v1.InfoField;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.InfoSection;
import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.LogEvent;
import io.redwatch.proto.v1.Record;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks 1–5 of issue 9 against a real collector (tokens required) on a real PostgreSQL, with a
 * client that speaks the protocol as an attacker would, and real agents on a real redis-server.
 */
class IngestTrustIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    static final String OWNER_HOST = "owner-host";

    @TempDir
    static Path dir;

    static TrustRig rig;
    static RedisServerProcess redis;
    static LogCapture collectorLog;
    static LogCapture agentLog;

    @BeforeAll
    static void start() throws Exception {
        collectorLog = new LogCapture("io.redwatch.collector");
        agentLog = new LogCapture("io.redwatch.agent");
        rig = new TrustRig(dir, "ingest_trust_it");
        redis = RedisServerProcess.start("--save", "");
    }

    @AfterAll
    static void stop() {
        if (rig != null) rig.close();
        if (redis != null) redis.close();
        if (collectorLog != null) collectorLog.close();
        if (agentLog != null) agentLog.close();
    }

    // ---- 1. any agent writes any instance ----

    @Test
    void anAgentCannotWriteAnotherAgentsInstance() throws Exception {
        String ownerToken = rig.tokens.create("owner-agent", null);
        String forgerToken = rig.tokens.create("forger-agent", null);
        String instance = OWNER_HOST + ":" + redis.port();
        try (Agent owner = rig.agent("owner-agent", ownerToken, OWNER_HOST, redis.port())) {
            owner.start();
            Await.until(
                    "the owner's pings stored",
                    WAIT,
                    () -> rig.count("select count(*) from pings where instance = ?", instance) > 0);
        }
        int mark = collectorLog.mark();
        long now = System.currentTimeMillis();
        Record info = Record.newBuilder()
                .setInfo(InfoSample.newBuilder()
                        .setRef(InstanceRef.newBuilder()
                                .setInstance(instance)
                                .setHost(OWNER_HOST)
                                .setPort(redis.port()))
                        .setTsMs(now)
                        .addSections(InfoSection.newBuilder()
                                .setName("Memory")
                                .addFields(InfoField.newBuilder()
                                        .setKey("used_memory")
                                        .setValue("123"))))
                .build();
        Record host = Record.newBuilder()
                .setHost(HostFacts.newBuilder().setHost(OWNER_HOST).setTsMs(now).setMemTotal(1))
                .build();
        Record ownPing = ping("forger-host:7000", now, "PONG");
        try (WireClient forger = new WireClient(rig.port(), "forger-agent", forgerToken)) {
            forger.hello("forger-agent", 1000);
            assertTrue(forger.next().hasWelcome());
            forger.batch(batch(1, ping(instance, now, "MISCONF forged"), info, host, ownPing));
            CollectorMessage ack = forger.next();
            assertTrue(ack.hasAck(), ack.toString());
            assertTrue(
                    ack.getAck()
                            .getRefused()
                            .contains("instance " + instance + " refused: it belongs to agent owner-agent"),
                    ack.getAck().getRefused());
            assertTrue(
                    ack.getAck().getRefused().contains("host " + OWNER_HOST + " refused"),
                    ack.getAck().getRefused());
            forger.batch(batch(2, ping(instance, now + 1, "MISCONF forged again")));
            assertTrue(forger.next().getAck().getRefused().contains("belongs to agent owner-agent"));
        }
        assertEquals(0, rig.count("select count(*) from pings where instance = ? and reply like 'MISCONF%'", instance));
        assertEquals(0, rig.count("select count(*) from host_facts where host = ? and mem_total = 1", OWNER_HOST));
        assertEquals(
                0,
                rig.count(
                        "select count(*) from info_samples s join instance_ids i on i.id = s.instance_id"
                                + " where i.instance = ? and s.used_memory = 123",
                        instance));
        assertEquals("owner-agent", rig.text("select agent_id from redwatch_instances where instance = ?", instance));
        assertEquals(
                1,
                rig.count("select count(*) from pings where instance = 'forger-host:7000'"),
                "its own instance is stored");
        List<String> lines = collectorLog.since(mark);
        assertEquals(
                1,
                LogCapture.count(lines, "refused records of agent forger-agent for instance " + instance),
                String.join("\n", lines));
        assertEquals(
                1,
                LogCapture.count(lines, "instance move --instance " + instance + " --agent-id forger-agent"),
                String.join("\n", lines));

        // The operator moves the instance: the former forger's records for it are stored from then on.
        String out = command("instance", "move", "--instance", instance, "--agent-id", "forger-agent");
        assertTrue(out.contains("owned by agent forger-agent (was owner-agent)"), out);
        assertEquals("forger-agent", rig.text("select agent_id from redwatch_instances where instance = ?", instance));
        try (WireClient moved = new WireClient(rig.port(), "forger-agent", forgerToken)) {
            moved.hello("forger-agent", 1000);
            assertTrue(moved.next().hasWelcome());
            long seq = 3;
            do { // the collector caches owners: a move reaches it at its next read of changes (5 s)
                moved.batch(batch(seq++, ping(instance, System.currentTimeMillis(), "PONG moved")));
                assertTrue(moved.next().hasAck());
            } while (rig.count("select count(*) from pings where instance = ? and reply = 'PONG moved'", instance) == 0
                    && seq < 400
                    && sleep(100));
            assertEquals(
                    1, rig.count("select count(*) from pings where instance = ? and reply = 'PONG moved'", instance));
        }
        String help = command("instance", "move", "--help");
        assertTrue(help.contains("--agent-id") && help.contains("--instance"), help);
    }

    // ---- 2. clocks ----

    @Test
    void recordsFromTheFarFutureOrPastAreStoredAtReceiveTime() throws Exception {
        String token = rig.tokens.create("clock-agent", null);
        long year9999 = 253_402_214_400_000L - 1000;
        long before = System.currentTimeMillis();
        Record futureLog = Record.newBuilder()
                .setLog(LogEvent.newBuilder()
                        .setRef(InstanceRef.newBuilder()
                                .setInstance("clock-host:6379")
                                .setHost("clock-host")
                                .setPort(6379))
                        .setTsMs(year9999)
                        .setTsFromLog(true)
                        .setRaw("1:M 31 Dec 9999 23:59:59.000 * future")
                        .setMessage("future")
                        .setParsed(true)
                        .setFile("/var/log/redis.log")
                        .setOffset(0)
                        .setEndOffset(40))
                .build();
        Record ancientLog = Record.newBuilder()
                .setLog(futureLog.getLog().toBuilder()
                        .setTsMs(86_400_000L)
                        .setOffset(40)
                        .setRaw("1:M 02 Jan 1970 00:00:00.000 * ancient"))
                .build();
        try (WireClient c = new WireClient(rig.port(), "clock-agent", token)) {
            c.hello("clock-agent", 1000);
            assertTrue(c.next().hasWelcome());
            c.batch(batch(
                    1,
                    ping("clock-host:6379", year9999, "PONG future"),
                    futureLog,
                    ancientLog,
                    ping("clock-host:6379", 1000, "PONG 1970")));
            CollectorMessage ack = c.next();
            assertTrue(ack.getAck().getRefused().contains("stored at its receive time"), ack.toString());
        }
        long after = System.currentTimeMillis();
        assertEquals(
                2,
                rig.count(
                        "select count(*) from redwatch_pings where instance = 'clock-host:6379'"
                                + " and ts between to_timestamp(?::double precision / 1000) and to_timestamp(?::double precision / 1000)",
                        before - 1,
                        after + 1));
        assertEquals(
                1,
                rig.count("select count(*) from redwatch_log_events where instance = 'clock-host:6379'"
                        + " and not ts_from_log and ts < now() + interval '1 minute'"),
                "the future line is kept, at receive time, flagged");
        assertEquals(
                0,
                rig.count("select count(*) from redwatch_log_events where raw like '%ancient'"),
                "a real log line older than retention is not stored");
        assertEquals(3, rig.count("select clock_adjusted_records from redwatch_agents where agent_id = 'clock-agent'"));
        assertTrue(rig.count("select clock_skew_ms / 1000 from redwatch_agents where agent_id = 'clock-agent'")
                > 1_000_000_000L);
        assertEquals(
                0, rig.count("select count(*) from redwatch_instances where last_seen > now() + interval '5 minutes'"));
        assertEquals(0, rig.count("select count(*) from pings where ts > now() + interval '5 minutes'"));
    }

    // ---- 3. sequence numbers ----

    @Test
    void impossibleSequenceNumbersAreRefusedNotAcknowledged() throws Exception {
        String token = rig.tokens.create("seq-agent", null);
        long now = System.currentTimeMillis();
        try (WireClient c = new WireClient(rig.port(), "seq-agent", token)) {
            c.hello("seq-agent", 1000);
            assertTrue(c.next().hasWelcome());
            c.batch(batch(1, ping("seq-host:6379", now, "PONG 1")));
            assertEquals(1, c.next().getAck().getSeq());
            c.batch(batch(Long.MAX_VALUE, ping("seq-host:6379", now, "PONG 2^63-1")));
            CollectorMessage m = c.next();
            assertTrue(m.hasReject(), m.toString());
            assertTrue(m.getReject().getReason().contains("9223372036854775807 is at or above 2^53"), m.toString());
            assertEquals(Status.Code.FAILED_PRECONDITION, c.status().getCode());
        }
        for (long forged : new long[] {-1L, 1 + (1L << 20) + 1}) {
            try (WireClient c = new WireClient(rig.port(), "seq-agent", token)) {
                c.hello("seq-agent", 1000);
                CollectorMessage welcome = c.next();
                assertEquals(
                        1,
                        welcome.getWelcome().getLastStoredSeq(),
                        "welcomed at the last real batch, not a forged one");
                c.batch(batch(forged, ping("seq-host:6379", now, "PONG forged")));
                CollectorMessage m = c.next();
                assertTrue(m.hasReject(), m.toString());
                assertTrue(m.getReject().getReason().contains(Long.toUnsignedString(forged)), m.toString());
            }
        }
        try (WireClient c = new WireClient(rig.port(), "seq-agent", token)) {
            c.hello("seq-agent", 1000);
            assertEquals(1, c.next().getWelcome().getLastStoredSeq());
            c.batch(batch(2, ping("seq-host:6379", now + 1, "PONG 2")));
            CollectorMessage ack = c.next();
            assertFalse(ack.getAck().getDuplicate(), "the next real batch is stored, not muted as a duplicate");
        }
        assertEquals(2, rig.lastSeq("seq-agent"));
        assertEquals(0, rig.count("select count(*) from pings where reply in ('PONG 2^63-1', 'PONG forged')"));
        assertEquals(2, rig.count("select count(*) from pings where instance = 'seq-host:6379'"));
        assertTrue(rig.metrics().batchesSeqRefused.get() >= 3);
    }

    // ---- 4. two agents with one id ----

    @Test
    void aSecondAgentWithTheSameIdIsRefusedAndTakesOverWhenTheFirstIsGone() throws Exception {
        String token = rig.tokens.create("clone-agent", null);
        int agentMark = agentLog.mark();
        long refusedBefore = rig.metrics().streamsDuplicate.get();
        try (Agent first = rig.agent("clone-agent", token, "clone-host", redis.port())) {
            first.start();
            Await.until("the first clone stores", WAIT, () -> rig.lastSeq("clone-agent") >= 2);
            try (Agent second = rig.agent("clone-agent", token, "clone-host", redis.port())) {
                second.start();
                Await.until(
                        "the second clone refused 3 times",
                        WAIT,
                        () -> rig.metrics().streamsDuplicate.get() - refusedBefore >= 3);
                assertFalse(second.connected());
                List<String> lines = agentLog.since(agentMark);
                assertEquals(
                        1,
                        LogCapture.count(lines, "refused this agent (agent_id clone-agent)"),
                        String.join("\n", lines));
                assertTrue(
                        lines.stream().anyMatch(l -> l.contains("give each agent its own agent_id")),
                        String.join("\n", lines));
                first.close(); // the first one leaves: the second takes over
                long seq = rig.lastSeq("clone-agent");
                Await.until(
                        "the second clone stores once the first is gone",
                        WAIT,
                        () -> second.connected() && rig.lastSeq("clone-agent") >= seq + 2);
            }
        }
        assertEquals(0, rig.count("select count(*) from gaps where agent_id = 'clone-agent'"));
    }

    @Test
    void aSilentHalfDeadStreamIsTakenOver() throws Exception {
        String token = rig.tokens.create("drop-agent", null);
        try (WireClient old = new WireClient(rig.port(), "drop-agent", token)) {
            old.hello("drop-agent", 200); // silence allowed: 2 × 200 ms + 10 s
            assertTrue(old.next().hasWelcome());
            long start = System.nanoTime();
            // The old connection went quiet (the network dropped it); the agent reconnects.
            try (WireClient early = new WireClient(rig.port(), "drop-agent", token)) {
                early.hello("drop-agent", 200);
                CollectorMessage m = early.next();
                assertTrue(
                        m.hasReject() && m.getReject().getReason().contains("taken over once it has been silent 10 s"),
                        m.toString());
                assertEquals(Status.Code.ALREADY_EXISTS, early.status().getCode());
            }
            CollectorMessage welcome = null;
            while (welcome == null) {
                try (WireClient retry = new WireClient(rig.port(), "drop-agent", token)) {
                    retry.hello("drop-agent", 200);
                    CollectorMessage m = retry.next();
                    if (m.hasWelcome()) {
                        welcome = m;
                        retry.batch(batch(1, ping("drop-host:6379", System.currentTimeMillis(), "PONG")));
                        assertTrue(retry.next().hasAck(), "the new stream is served");
                    } else {
                        retry.status();
                        sleep(500); // the agent's backoff between attempts
                    }
                }
            }
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(tookMs >= 10_000, "taken over only after the allowed silence, took " + tookMs + " ms");
            CollectorMessage told = old.next();
            assertTrue(
                    told != null
                            && told.hasReject()
                            && told.getReject().getReason().contains("replaced by a new stream"),
                    String.valueOf(told));
        }
    }

    // ---- 5. before authentication ----

    @Test
    void unauthenticatedCallsAreClosedBeforeAnyMessageIsRead() throws Exception {
        int mark = collectorLog.mark();
        long before = rig.metrics().helloRejected.get();
        byte[] hugeHello = new byte[15 << 20];
        List<WireClient> calls = new ArrayList<>();
        // 64 streams that each start a 15 MiB hello, on two connections (two streams at a time each)
        var channels = List.of(WireClient.channel(rig.port()), WireClient.channel(rig.port()));
        try {
            for (int i = 0; i < 64; i++) {
                // no token at all, a wrong token, no agent id: none is read
                String id = i % 3 == 2 ? null : "intruder";
                String token = i % 3 == 1 ? "not-a-token" : null;
                WireClient c = new WireClient(channels.get(i % 2), id, token);
                calls.add(c);
                c.sendBytes(hugeHello);
            }
            for (WireClient c : calls) {
                Status s = c.status();
                assertEquals(Status.Code.UNAUTHENTICATED, s.getCode(), s.toString());
            }
        } finally {
            calls.forEach(WireClient::close);
            channels.forEach(io.grpc.ManagedChannel::shutdownNow);
        }
        assertEquals(0, rig.metrics().streamsTooLarge.get(), "no message was read, so none was found too large");
        assertEquals(64, rig.metrics().helloRejected.get() - before, "each refused as unauthenticated");
        List<String> lines = collectorLog.since(mark);
        assertTrue(
                LogCapture.count(lines, "refused") <= 4,
                "one line per source and reason, not 64: " + String.join("\n", lines));
        assertEquals(
                1,
                LogCapture.count(lines, "refused agent intruder (from 127.0.0.1): no token in the call metadata"),
                String.join("\n", lines));
        assertEquals(-1, rig.lastSeq("intruder"));
    }

    @Test
    void aFirstMessageOver64KiBIsStoppedBeforeItIsBufferedWhole() throws Exception {
        String token = rig.tokens.create("big-hello-agent", null);
        long before = rig.metrics().streamsTooLarge.get();
        int mark = collectorLog.mark();
        try (WireClient c = new WireClient(rig.port(), "big-hello-agent", token)) {
            c.sendBytes(new byte[15 << 20]); // authenticated, but its "hello" is 15 MiB
            Status s = c.status();
            assertTrue(s.getCode() != Status.Code.OK, s.toString());
        }
        Await.until(
                "the stream was refused for its size",
                WAIT,
                () -> rig.metrics().streamsTooLarge.get() > before);
        assertEquals(1, LogCapture.count(collectorLog.since(mark), "sent a first message larger than 64 KiB"));
        try (WireClient c = new WireClient(rig.port(), "big-hello-agent", token)) {
            c.hello("big-hello-agent", 1000);
            assertTrue(c.next().hasWelcome(), "a normal hello is welcome");
        }
    }

    @Test
    void connectionsPerAddressAreBounded() throws Exception {
        String token = rig.tokens.create("conn-agent", null);
        List<WireClient> held = new ArrayList<>();
        try {
            Status refused = null;
            for (int i = 0; i < TrustRig.LIMITS.connectionsPerAddress() + 8 && refused == null; i++) {
                // each on its own connection, kept open: the first is welcomed, the next ones refused as
                // duplicates of its agent id (their connections stay), until the address runs out
                WireClient c = new WireClient(rig.port(), "conn-agent", token);
                held.add(c);
                c.hello("conn-agent", 1000);
                CollectorMessage m = c.next();
                if (m == null) refused = c.status();
            }
            assertNotNull(refused, "some connection past the limit is refused");
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getCode(), refused.toString());
            assertTrue(refused.getDescription().contains("too many connections from 127.0.0.1"), refused.toString());
        } finally {
            held.forEach(WireClient::close);
        }
        assertTrue(rig.metrics().connectionsRefused.get() >= 1);
        // once they are closed, connections are admitted again
        String again = rig.tokens.create("conn-again", null);
        Await.until("a new connection admitted", WAIT, () -> {
            try (WireClient c = new WireClient(rig.port(), "conn-again", again)) {
                c.hello("conn-again", 1000);
                CollectorMessage m = c.next();
                return m != null && m.hasWelcome();
            }
        });
    }

    @Test
    void aRevokedTokenEndsTheOpenStream() throws Exception {
        String token = rig.tokens.create("revoked-agent", null);
        try (WireClient c = new WireClient(rig.port(), "revoked-agent", token)) {
            c.hello("revoked-agent", 1000);
            assertTrue(c.next().hasWelcome());
            c.batch(batch(1, ping("revoked-host:6379", System.currentTimeMillis(), "PONG")));
            assertTrue(c.next().hasAck());
            long revokedAt = System.nanoTime();
            rig.tokens.revoke("revoked-agent");
            CollectorMessage m = c.next();
            assertTrue(m != null && m.hasReject() && m.getReject().getReason().contains("revoked"), String.valueOf(m));
            assertEquals(Status.Code.UNAUTHENTICATED, c.status().getCode());
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - revokedAt);
            assertTrue(tookMs < 60_000, "within a minute (re-check every second here), took " + tookMs + " ms");
        }
        try (WireClient again = new WireClient(rig.port(), "revoked-agent", token)) {
            again.hello("revoked-agent", 1000);
            assertNull(again.next());
            assertEquals(Status.Code.UNAUTHENTICATED, again.status().getCode());
        }
    }

    private static boolean sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
        return true;
    }

    private static String command(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (!List.of(args).contains("--help"))
            all.addAll(List.of("--db-url", rig.db.url(), "--db-user", FreshDatabase.USER));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = CollectorMainAccess.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(all.toArray(String[]::new));
        assertEquals(0, code, String.join(" ", all) + ": " + err);
        return out.toString();
    }
}
