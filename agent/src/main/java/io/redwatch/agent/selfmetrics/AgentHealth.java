package io.redwatch.agent.selfmetrics;

import io.redwatch.agent.osfacts.ProcStatus;
import io.redwatch.agent.spool.Spool;
import io.redwatch.proto.v1.AgentStats;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.InstanceSampled;
import io.redwatch.proto.v1.Record;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's own health, sent to the collector with its batches (the agent opens no port): spool
 * size, gaps and records lost, when each instance last answered INFO, and the agent's RSS. The
 * collector exposes it on its /metrics per agent, so one scrape watches the whole fleet's agents.
 */
public final class AgentHealth {
    private static final Path SELF_STATUS = Path.of("/proc/self/status");

    private final Spool spool;
    private final Map<String, Long> lastSuccessMs = new ConcurrentHashMap<>();
    private final AtomicLong gaps = new AtomicLong();
    private final AtomicLong recordsDropped = new AtomicLong();

    public AgentHealth(Spool spool, Iterable<String> instances) {
        this.spool = spool;
        for (String i : instances) lastSuccessMs.put(i, 0L); // listed from the start: "never answered" shows as 0
    }

    /** A record leaving a sampler: an INFO answered without error counts as a successful sample. */
    public void sampled(Record r) {
        if (r.hasInfo() && r.getInfo().getError().isEmpty()) {
            lastSuccessMs.merge(r.getInfo().getRef().getInstance(), r.getInfo().getTsMs(), Math::max);
        }
    }

    /** A batch the collector stored: its gap records are counted once, never again on a resend. */
    public void acknowledged(Batch b) {
        for (Record r : b.getRecordsList()) {
            if (r.hasGap()) {
                gaps.incrementAndGet();
                recordsDropped.addAndGet(r.getGap().getRecordsLost());
            }
        }
    }

    public AgentStats stats(long nowMs) {
        AgentStats.Builder s = AgentStats.newBuilder()
                .setTsMs(nowMs)
                .setSpoolBytes(spool.diskBytes())
                .setSpoolBatches(spool.size())
                .setGapsTotal(gaps.get())
                .setRecordsDroppedTotal(recordsDropped.get())
                .setRssBytes(rss());
        lastSuccessMs.forEach((instance, ms) -> s.addInstances(
                InstanceSampled.newBuilder().setInstance(instance).setLastSuccessMs(ms)));
        return s.build();
    }

    private static long rss() {
        try {
            return Math.max(0, ProcStatus.parse(Files.readString(SELF_STATUS)).vmRssBytes());
        } catch (IOException | RuntimeException e) {
            return 0; // not Linux, or /proc not mounted: the metric says 0 rather than the agent failing
        }
    }
}
