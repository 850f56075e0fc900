package io.redwatch.collector.diagnosis;

import io.redwatch.agent.sampling.InfoParser;
import io.redwatch.agent.testing.Fixtures;
import io.redwatch.collector.facts.BatchFacts;
import io.redwatch.collector.rules.Diagnosis;
import io.redwatch.collector.rules.Thresholds;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.ConfigSnapshot;
import io.redwatch.proto.v1.ConfigValue;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.LogEvent;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.ProcessFacts;
import io.redwatch.proto.v1.Record;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Heap per watched instance after an hour of data, as a collector holds it: a real 7.0 {@code INFO
 * everything} reply (~200 fields) every 10 s, a PING, process facts, five log lines, CONFIG every
 * minute. Not part of {@code mvn verify} (its name is no test's); run it by the command in
 * docs/benchmarks.md. Instances: {@code -Dredwatch.benchmark.instances=N} (default 2,000).
 */
class WindowMemoryBenchmark {
    private static final long HOUR = 3_600_000;
    private static final String[] LOG_LINES = {
        "Background saving started by pid 4242",
        "DB saved on disk",
        "RDB: 2 MB of memory used by copy-on-write",
        "Background saving terminated with success",
        "10000 changes in 60 seconds. Saving...",
        "Accepted 10.0.0.7:51234",
        "Client closed connection",
    };

    @Test
    void heapPerInstanceAfterAnHourOfData() throws IOException {
        int n = Integer.getInteger("redwatch.benchmark.instances", 2_000);
        String reply = Fixtures.text("/info/redis-7.0.15-master-everything.txt");
        long start = System.currentTimeMillis() - HOUR;
        LiveDiagnosis live = new LiveDiagnosis(
                new Diagnosis(Thresholds.defaults()),
                Duration.ofHours(1),
                Duration.ofSeconds(5),
                (instance, host, findings, now) -> {},
                (wanted, bounds) -> Map.of(),
                n + 1);
        long before = usedAfterGc();
        long batches = 0;
        for (long t = start; t <= start + HOUR; t += 10_000) {
            for (int i = 0; i < n; i++) {
                String host = "10.9." + (i / 250) + "." + (i % 250);
                InstanceRef ref = InstanceRef.newBuilder()
                        .setInstance(host + ":6379")
                        .setHost(host)
                        .setPort(6379)
                        .build();
                live.observe("agent-" + i, host, BatchFacts.of(batch(ref, reply, t, batches++)), t);
            }
            if ((t - start) % 600_000 == 0) live.refillDue(t);
        }
        long after = usedAfterGc();
        System.out.printf(
                "%d instances, one hour at 10 s: %.1f KB of heap per instance (%d MB in all)%n",
                n, (after - before) / 1024.0 / n, (after - before) >> 20);
        if (live.watched() != n) throw new AssertionError("windows: " + live.watched());
        // Evaluation: every instance judged once over its full window (warm-up, then timed).
        long now = start + HOUR;
        live.evaluateDue(now);
        double best = Double.MAX_VALUE;
        int judged = 0;
        for (int round = 1; round <= 5; round++) {
            long at = now + round * 10_000L;
            for (int i = 0; i < n; i++) {
                String host = "10.9." + (i / 250) + "." + (i % 250);
                InstanceRef ref = InstanceRef.newBuilder()
                        .setInstance(host + ":6379")
                        .setHost(host)
                        .setPort(6379)
                        .build();
                live.observe("agent-" + i, host, BatchFacts.of(batch(ref, reply, at, batches++)), at);
            }
            long t0 = System.nanoTime();
            judged = live.evaluateDue(at);
            best = Math.min(best, (System.nanoTime() - t0) / 1e6);
        }
        System.out.printf(
                "evaluated %d instances in %.0f ms (best of 5 rounds): %.2f ms each, on one thread%n",
                judged, best, best / judged);
    }

    private static Batch batch(InstanceRef ref, String reply, long t, long seq) {
        InfoSample info = InfoParser.parse(
                reply.replace("uptime_in_seconds:", "uptime_in_seconds:" + (t / 1000) % 97), ref, t, "redis");
        Batch.Builder b = Batch.newBuilder()
                .setSeq(seq + 1)
                .addRecords(Record.newBuilder().setInfo(info))
                .addRecords(Record.newBuilder()
                        .setPing(PingResult.newBuilder()
                                .setRef(ref)
                                .setTsMs(t)
                                .setOutcome(PingResult.Outcome.PONG)
                                .setReply("PONG")
                                .setLatencyUs(180 + t % 50)))
                .addRecords(Record.newBuilder()
                        .setProcess(ProcessFacts.newBuilder()
                                .setRef(ref)
                                .setTsMs(t)
                                .setPid(4242)
                                .setPidSource("tcp listener")
                                .setFdTotal(40)
                                .setFdSockets(30)
                                .setFdPipes(4)
                                .setFdFiles(6)
                                .setNofileSoft(10032)
                                .setNofileHard(10032)
                                .setVmRss(1L << 30)
                                .setVmSize(2L << 30)));
        for (int l = 0; l < 5; l++) {
            // A new string per line, as each parsed line is; pids and byte counts make most lines unique anyway.
            String msg = LOG_LINES[(int) ((t / 10_000 + l) % LOG_LINES.length)] + " ";
            b.addRecords(Record.newBuilder()
                    .setLog(LogEvent.newBuilder()
                            .setRef(ref)
                            .setTsMs(t + l)
                            .setTsFromLog(true)
                            .setPid(4242)
                            .setRole("M")
                            .setLevel(LogEvent.Level.NOTICE)
                            .setMessage(msg)
                            .setRaw("4242:M 21 Nov 2026 03:10:00.000 * " + msg)
                            .setParsed(true)
                            .setOffset(t)));
        }
        if (t % 60_000 == 0) {
            b.addRecords(Record.newBuilder()
                    .setConfig(ConfigSnapshot.newBuilder()
                            .setRef(ref)
                            .setTsMs(t)
                            .addValues(
                                    ConfigValue.newBuilder().setKey("maxmemory").setValue("0"))
                            .addValues(ConfigValue.newBuilder()
                                    .setKey("maxmemory-policy")
                                    .setValue("noeviction"))
                            .addValues(ConfigValue.newBuilder().setKey("save").setValue("3600 1 300 100 60 10000"))
                            .addValues(ConfigValue.newBuilder()
                                    .setKey("appendonly")
                                    .setValue("no"))
                            .addValues(ConfigValue.newBuilder()
                                    .setKey("client-output-buffer-limit")
                                    .setValue("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"))));
        }
        return b.build();
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 4; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
