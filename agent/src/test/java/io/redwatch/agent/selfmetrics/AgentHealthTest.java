package io.redwatch.agent.selfmetrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.spool.Spool;
import io.redwatch.proto.v1.AgentStats;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.Gap;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.Record;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the agent reports about itself, over a real spool on disk. */
class AgentHealthTest {
    @TempDir
    Path dir;

    private static Record info(String instance, long ts, String error) {
        return Record.newBuilder()
                .setInfo(InfoSample.newBuilder()
                        .setRef(InstanceRef.newBuilder().setInstance(instance))
                        .setTsMs(ts)
                        .setError(error))
                .build();
    }

    @Test
    void reportsSpoolGapsLastGoodSampleAndRss() throws Exception {
        try (Spool spool = Spool.open(dir, 1 << 20)) {
            AgentHealth health = new AgentHealth(spool, List.of("h:6379", "h:6380"));
            health.sampled(info("h:6379", 1000, ""));
            health.sampled(info("h:6379", 2000, "connection refused")); // a failed sample is not a success
            spool.add(Batch.newBuilder().addRecords(info("h:6379", 1000, "")).build());
            Batch withGaps = Batch.newBuilder()
                    .addRecords(Record.newBuilder().setGap(Gap.newBuilder().setRecordsLost(40)))
                    .addRecords(Record.newBuilder().setGap(Gap.newBuilder().setRecordsLost(2)))
                    .build();
            health.acknowledged(withGaps);

            AgentStats s = health.stats(5000);
            assertEquals(5000, s.getTsMs());
            assertEquals(1, s.getSpoolBatches());
            assertTrue(s.getSpoolBytes() > 0, "the batch is on disk");
            assertEquals(2, s.getGapsTotal());
            assertEquals(42, s.getRecordsDroppedTotal());
            assertTrue(s.getRssBytes() > 1 << 20, "this JVM's RSS: " + s.getRssBytes());
            assertEquals(
                    1000,
                    s.getInstancesList().stream()
                            .filter(i -> i.getInstance().equals("h:6379"))
                            .findFirst()
                            .orElseThrow()
                            .getLastSuccessMs());
            assertEquals(
                    0,
                    s.getInstancesList().stream()
                            .filter(i -> i.getInstance().equals("h:6380"))
                            .findFirst()
                            .orElseThrow()
                            .getLastSuccessMs(),
                    "an instance that never answered is listed with 0");
        }
    }
}
