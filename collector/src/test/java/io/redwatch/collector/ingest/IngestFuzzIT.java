package io.redwatch.collector.ingest;

import static io.redwatch.collector.ingest.TrustRig.batch;
import static io.redwatch.collector.ingest.TrustRig.ping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.collector.testing.LogCapture;
import io.redwatch.collector.testing.WireClient;
import io.redwatch.proto.v1.AgentMessage;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.CollectorMessage;
import io.redwatch.proto.v1.ConfigSnapshot;
import io.redwatch.proto.v1.ConfigValue;
import io.redwatch.proto.v1.Gap;
import io.redwatch.proto.v1.Hello;
import io.redwatch.proto.v1.HostFacts;
import io.redwatch.proto.v1.InfoField;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.InfoSection;
import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.LogEvent;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.ProcessFacts;
import io.redwatch.proto.v1.Record;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random bytes, mutated AgentMessages and well-formed but hostile ones (control characters in
 * names, impossible sequence numbers and times, unknown record kinds, protocol out of order) fed to
 * the real ingest, authenticated, for a bounded time ({@code -Dredwatch.fuzz.seconds}, default 20;
 * {@code -Dredwatch.fuzz.seed} repeats a run). The collector stays up, stores nothing that breaks
 * the rules, and logs within a bound.
 */
class IngestFuzzIT {
    private static final Logger LOG = Logger.getLogger(IngestFuzzIT.class.getName());
    static final int AGENTS = 8;
    static final String[] EVIL_NAMES = {
        "evil:1\nX-Injected: yes",
        "cr\r:6379",
        "x".repeat(300) + ":1",
        "",
        "\u0000:1",
        "tab\there:1",
        "ok-host:6379",
        "line\u2028sep:1",
        "\u001b[31mred:1"
    };
    static final long[] EVIL_TIMES = {Long.MIN_VALUE, -1, 0, 1, 253_402_300_799_000L, Long.MAX_VALUE};
    static final long[] EVIL_SEQS = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 53, (1L << 53) - 1, 1L << 21};

    @TempDir
    static Path dir;

    static TrustRig rig;
    static LogCapture collectorLog;
    static final String[] tokens = new String[AGENTS];

    @BeforeAll
    static void start() throws Exception {
        collectorLog = new LogCapture("io.redwatch.collector");
        rig = new TrustRig(dir, "ingest_fuzz_it");
        for (int i = 0; i < AGENTS; i++) tokens[i] = rig.tokens.create("fuzz-" + i, null);
    }

    @AfterAll
    static void stop() {
        if (rig != null) rig.close();
        if (collectorLog != null) collectorLog.close();
    }

    @Test
    void randomAndHostileMessagesLeaveTheCollectorUpAndTheDataClean() throws Exception {
        long seed = Long.getLong("redwatch.fuzz.seed", System.nanoTime());
        long seconds = Long.getLong("redwatch.fuzz.seconds", 20);
        LOG.info("fuzzing the ingest for " + seconds + " s with -Dredwatch.fuzz.seed=" + seed);
        Random rnd = new Random(seed);
        int mark = collectorLog.mark();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int streams = 0;
        int messages = 0;
        long[] nextSeq = new long[AGENTS];
        while (System.nanoTime() < deadline) {
            int a = streams++ % AGENTS;
            try (WireClient c = new WireClient(rig.port(), "fuzz-" + a, tokens[a])) {
                if (rnd.nextInt(10) < 8) {
                    c.hello("fuzz-" + a, 200 + rnd.nextInt(1000));
                    messages++;
                    CollectorMessage m = c.next();
                    if (m == null || !m.hasWelcome()) continue;
                    nextSeq[a] = m.getWelcome().getLastStoredSeq() + 1;
                }
                int n = 1 + rnd.nextInt(12);
                for (int i = 0; i < n && !c.closed.isDone(); i++) {
                    c.sendBytes(message(rnd, nextSeq, a));
                    messages++;
                }
                // Wait for the collector's verdict on this stream: its close, or silence (all acked).
                c.closed.completeOnTimeout(null, 1, TimeUnit.SECONDS).join();
            }
        }
        LOG.info("fuzzed " + streams + " streams, " + messages + " messages");
        assertTrue(streams > 20, "the fuzz ran: " + streams + " streams");

        // still up and serving a real agent
        try (WireClient c = new WireClient(rig.port(), "fuzz-final", rig.tokens.create("fuzz-final", null))) {
            c.hello("fuzz-final", 1000);
            CollectorMessage welcome = c.next();
            assertTrue(welcome != null && welcome.hasWelcome(), String.valueOf(welcome));
            long seq = welcome.getWelcome().getLastStoredSeq() + 1;
            c.batch(batch(seq, ping("after-fuzz:6379", System.currentTimeMillis(), "PONG after fuzz")));
            CollectorMessage ack = c.next();
            assertTrue(ack != null && ack.hasAck(), String.valueOf(ack));
        }
        assertEquals(1, rig.count("select count(*) from pings where reply = 'PONG after fuzz'"));

        // nothing wrong stored
        for (String check : List.of(
                "select count(*) from instances where instance ~ '[[:cntrl:]]' or host ~ '[[:cntrl:]]' or length(instance) > 255",
                "select count(*) from name_owners where name ~ '[[:cntrl:]]' or length(name) > 255",
                "select count(*) from host_facts where host ~ '[[:cntrl:]]' or length(host) > 255",
                "select count(*) from pings where instance ~ '[[:cntrl:]]' or ts > now() + interval '6 minutes'",
                "select count(*) from log_events where instance ~ '[[:cntrl:]]' or ts > now() + interval '6 minutes'",
                "select count(*) from config_snapshots where ts > now() + interval '6 minutes'",
                "select count(*) from process_facts where ts > now() + interval '6 minutes'",
                "select count(*) from host_facts where ts > now() + interval '6 minutes'",
                "select count(*) from info_samples where ts > now() + interval '6 minutes'",
                "select count(*) from instances where last_seen > now() + interval '6 minutes'",
                "select count(*) from agents where last_seq < 0 or last_seq >= 9007199254740992")) {
            assertEquals(0, rig.count(check), check);
        }
        List<String> lines = collectorLog.since(mark);
        LOG.info("the collector logged " + lines.size() + " lines for " + messages + " hostile messages");
        assertTrue(
                lines.size() <= 150,
                "logs within a bound (one line per source and kind of problem): " + lines.size() + " lines\n"
                        + String.join("\n", lines.subList(0, Math.min(40, lines.size()))));
    }

    private static byte[] message(Random rnd, long[] nextSeq, int a) {
        switch (rnd.nextInt(6)) {
            case 0 -> {
                byte[] b = new byte[rnd.nextInt(600)];
                rnd.nextBytes(b);
                return b;
            }
            case 1, 2 -> {
                byte[] b = hostile(rnd, nextSeq, a).toByteArray();
                return mutate(rnd, b);
            }
            default -> {
                return hostile(rnd, nextSeq, a).toByteArray();
            }
        }
    }

    private static byte[] mutate(Random rnd, byte[] b) {
        if (b.length == 0) return b;
        byte[] m = b.clone();
        int flips = 1 + rnd.nextInt(4);
        for (int i = 0; i < flips; i++) m[rnd.nextInt(m.length)] ^= (byte) (1 << rnd.nextInt(8));
        if (rnd.nextBoolean()) m = java.util.Arrays.copyOf(m, rnd.nextInt(m.length + 1)); // truncated
        return m;
    }

    private static AgentMessage hostile(Random rnd, long[] nextSeq, int a) {
        if (rnd.nextInt(15) == 0) {
            return AgentMessage.newBuilder()
                    .setHello(Hello.newBuilder()
                            .setAgentId(rnd.nextBoolean() ? "fuzz-" + a : pick(rnd, EVIL_NAMES))
                            .setHostname(pick(rnd, EVIL_NAMES))
                            .setLastAckedSeq(pick(rnd, EVIL_SEQS)))
                    .build();
        }
        long seq = rnd.nextInt(4) == 0 ? pick(rnd, EVIL_SEQS) : nextSeq[a]++;
        Batch.Builder b = Batch.newBuilder().setSeq(seq).setCreatedMs(rnd.nextLong());
        int records = rnd.nextInt(20) == 0 ? 500 : 1 + rnd.nextInt(6);
        for (int i = 0; i < records; i++) b.addRecords(record(rnd));
        return AgentMessage.newBuilder().setBatch(b).build();
    }

    private static Record record(Random rnd) {
        String instance = rnd.nextInt(3) == 0 ? pick(rnd, EVIL_NAMES) : "fuzz-host-" + rnd.nextInt(4) + ":6379";
        InstanceRef ref = InstanceRef.newBuilder()
                .setInstance(instance)
                .setHost(rnd.nextInt(4) == 0 ? pick(rnd, EVIL_NAMES) : "fuzz-host")
                .setPort(rnd.nextInt(70000))
                .build();
        long ts = rnd.nextInt(3) == 0 ? pick(rnd, EVIL_TIMES) : System.currentTimeMillis() - rnd.nextInt(100_000);
        return switch (rnd.nextInt(8)) {
            case 0 ->
                Record.newBuilder()
                        .setInfo(InfoSample.newBuilder()
                                .setRef(ref)
                                .setTsMs(ts)
                                .addSections(InfoSection.newBuilder()
                                        .setName("Memory")
                                        .addFields(InfoField.newBuilder()
                                                .setKey("used_memory")
                                                .setValue(Long.toString(rnd.nextLong())))))
                        .build();
            case 1 ->
                Record.newBuilder()
                        .setPing(PingResult.newBuilder()
                                .setRef(ref)
                                .setTsMs(ts)
                                .setOutcome(PingResult.Outcome.ERROR_REPLY)
                                .setReply(pick(rnd, EVIL_NAMES))
                                .setLatencyUs(rnd.nextLong()))
                        .build();
            case 2 ->
                Record.newBuilder()
                        .setConfig(ConfigSnapshot.newBuilder()
                                .setRef(ref)
                                .setTsMs(ts)
                                .addValues(ConfigValue.newBuilder()
                                        .setKey(pick(rnd, EVIL_NAMES))
                                        .setValue(pick(rnd, EVIL_NAMES))))
                        .build();
            case 3 ->
                Record.newBuilder()
                        .setLog(LogEvent.newBuilder()
                                .setRef(ref)
                                .setTsMs(ts)
                                .setTsFromLog(rnd.nextBoolean())
                                .setRaw(pick(rnd, EVIL_NAMES))
                                .setFile("/f")
                                .setOffset(rnd.nextLong())
                                .setEndOffset(rnd.nextLong()))
                        .build();
            case 4 ->
                Record.newBuilder()
                        .setHost(HostFacts.newBuilder()
                                .setHost(rnd.nextBoolean() ? "" : pick(rnd, EVIL_NAMES))
                                .setTsMs(ts)
                                .setMemTotal(rnd.nextLong())
                                .setOvercommitMemory(rnd.nextInt()))
                        .build();
            case 5 ->
                Record.newBuilder()
                        .setProcess(ProcessFacts.newBuilder()
                                .setRef(ref)
                                .setTsMs(ts)
                                .setPid(rnd.nextInt())
                                .setFdTotal(rnd.nextInt())
                                .setNofileSoft(rnd.nextLong()))
                        .build();
            case 6 ->
                Record.newBuilder()
                        .setGap(Gap.newBuilder()
                                .setFromMs(ts)
                                .setToMs(pick(rnd, EVIL_TIMES))
                                .setRecordsLost(rnd.nextLong()))
                        .build();
            default -> Record.newBuilder().build(); // no kind at all
        };
    }

    private static String pick(Random rnd, String[] values) {
        return values[rnd.nextInt(values.length)];
    }

    private static long pick(Random rnd, long[] values) {
        return values[rnd.nextInt(values.length)];
    }
}
