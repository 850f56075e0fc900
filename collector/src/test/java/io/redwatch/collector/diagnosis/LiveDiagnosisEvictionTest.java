package io.redwatch.collector.diagnosis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.redwatch.collector.facts.BatchFacts;
import io.redwatch.collector.rules.Diagnosis;
import io.redwatch.collector.rules.Thresholds;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.HostFacts;
import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.Record;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a collector holds for instances and hosts that went quiet is let go, not kept forever. */
class LiveDiagnosisEvictionTest {
    private static final long HOUR = 3_600_000L;

    @Test
    void aQuietInstanceAndItsHostAreDroppedAfterTwoWindows() {
        LiveDiagnosis live = new LiveDiagnosis(
                new Diagnosis(Thresholds.defaults()),
                Duration.ofHours(1),
                Duration.ofSeconds(5),
                (instance, host, findings, now) -> {},
                (wanted, bounds) -> Map.of());
        long t0 = 1_800_000_000_000L;
        live.observe("agent-a", "redis-a", facts(t0, "redis-a"), t0);
        live.observe("agent-b", "redis-b", facts(t0 + HOUR, "redis-b"), t0 + HOUR);
        assertEquals(2, live.watched());
        assertEquals(2, live.hostsKnown());

        live.evaluateDue(t0 + 2 * HOUR + 1);

        assertEquals(1, live.watched(), "redis-a's instance, quiet for more than two windows, is dropped");
        assertEquals(1, live.hostsKnown(), "and so are its host's facts");
        live.evaluateDue(t0 + 3 * HOUR + 1);
        assertEquals(0, live.watched());
        assertEquals(0, live.hostsKnown());
    }

    private static BatchFacts facts(long ts, String host) {
        InstanceRef ref = InstanceRef.newBuilder()
                .setInstance(host + ":6379")
                .setHost(host)
                .setPort(6379)
                .build();
        return BatchFacts.of(Batch.newBuilder()
                .setSeq(1)
                .addRecords(Record.newBuilder()
                        .setPing(PingResult.newBuilder()
                                .setRef(ref)
                                .setTsMs(ts)
                                .setOutcome(PingResult.Outcome.PONG)
                                .setReply("PONG")))
                .addRecords(Record.newBuilder()
                        .setHost(
                                HostFacts.newBuilder().setHost(host).setTsMs(ts).setCpuCount(2)))
                .build());
    }
}
