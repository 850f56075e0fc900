package io.redwatch.collector.metrics;

import io.redwatch.proto.v1.AgentStats;
import io.redwatch.proto.v1.InstanceSampled;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The newest self-report of each agent (spool, gaps, drops, RSS, last good sample per instance),
 * as it arrived with a batch of an authenticated stream, exposed on /metrics with an
 * {@code agent_id} label. Only in memory: with several collectors, each shows the agents that
 * stream to it, and Prometheus scrapes them all.
 */
public final class AgentReports {
    /** Bounds memory and series whatever agents claim; past it the oldest reports give way. */
    static final int MAX_AGENTS = 20_000;

    static final int MAX_INSTANCES_PER_AGENT = 1_000;
    /** An agent gone this long drops out of /metrics (its silence is alerted on long before). */
    static final long FORGET_AFTER_MS = 24 * 3600 * 1000L;

    private record Report(long seq, long receivedMs, AgentStats stats) {}

    private final Map<String, Report> byAgent = new ConcurrentHashMap<>();

    /** Keeps {@code stats} unless a batch with a higher sequence number already reported (a resend is older news). */
    public void reported(String agentId, long seq, AgentStats stats, long nowMs) {
        if (byAgent.size() >= MAX_AGENTS && !byAgent.containsKey(agentId)) forgetOldest();
        byAgent.merge(agentId, new Report(seq, nowMs, stats), (old, now) -> now.seq >= old.seq ? now : old);
    }

    private void forgetOldest() {
        byAgent.entrySet().stream()
                .min((a, b) -> Long.compare(a.getValue().receivedMs, b.getValue().receivedMs))
                .ifPresent(e -> byAgent.remove(e.getKey(), e.getValue()));
    }

    public void writeTo(Exposition e, long nowMs) {
        byAgent.values().removeIf(r -> nowMs - r.receivedMs > FORGET_AFTER_MS);
        Map<String, Report> sorted = new TreeMap<>(byAgent);
        e.family(
                "redwatch_agent_report_timestamp_seconds",
                "gauge",
                "when the collector last received this agent's self-report");
        sorted.forEach(
                (id, r) -> e.sample("redwatch_agent_report_timestamp_seconds", r.receivedMs / 1000.0, "agent_id", id));
        e.family("redwatch_agent_spool_bytes", "gauge", "bytes in the agent's disk spool of unacknowledged batches");
        sorted.forEach((id, r) -> e.sample("redwatch_agent_spool_bytes", r.stats.getSpoolBytes(), "agent_id", id));
        e.family("redwatch_agent_spool_batches", "gauge", "batches in the agent's spool not yet acknowledged");
        sorted.forEach((id, r) -> e.sample("redwatch_agent_spool_batches", r.stats.getSpoolBatches(), "agent_id", id));
        e.family(
                "redwatch_agent_gaps_total",
                "counter",
                "gaps (data the agent had to drop) acknowledged since the agent started");
        sorted.forEach((id, r) -> e.sample("redwatch_agent_gaps_total", r.stats.getGapsTotal(), "agent_id", id));
        e.family(
                "redwatch_agent_records_dropped_total",
                "counter",
                "records lost in those gaps since the agent started");
        sorted.forEach((id, r) ->
                e.sample("redwatch_agent_records_dropped_total", r.stats.getRecordsDroppedTotal(), "agent_id", id));
        e.family("redwatch_agent_resident_memory_bytes", "gauge", "the agent process's RSS (0: unreadable)");
        sorted.forEach(
                (id, r) -> e.sample("redwatch_agent_resident_memory_bytes", r.stats.getRssBytes(), "agent_id", id));
        e.family(
                "redwatch_agent_last_sample_timestamp_seconds",
                "gauge",
                "last INFO the instance answered without error, as the agent saw it (0: none since the agent started)");
        sorted.forEach((id, r) -> {
            int n = 0;
            for (InstanceSampled s : r.stats.getInstancesList()) {
                if (n++ >= MAX_INSTANCES_PER_AGENT) break;
                e.sample(
                        "redwatch_agent_last_sample_timestamp_seconds",
                        s.getLastSuccessMs() / 1000.0,
                        "agent_id",
                        id,
                        "instance",
                        s.getInstance());
            }
        });
    }
}
