package io.redwatch.collector.rules;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** agent_silent: the collector heard nothing from an agent for {@code agentSilentIntervals} sampling intervals. */
public final class AgentSilence {
    public static final String RULE = "agent_silent";

    private AgentSilence() {}

    /**
     * @param lastSeenMs when the collector last heard from the agent
     * @param intervalMs the agent's sampling interval (from its hello)
     */
    public static Optional<Finding> check(
            String agentId, String host, long lastSeenMs, long intervalMs, long nowMs, Thresholds t) {
        if (intervalMs <= 0) return Optional.empty();
        long silentMs = nowMs - lastSeenMs;
        if (silentMs < (long) t.agentSilentIntervals() * intervalMs) return Optional.empty();
        String summary = "agent " + agentId + " on " + host + " has been silent for " + silentMs / 1000 + " s ("
                + silentMs / intervalMs + " intervals)";
        List<String> evidence = List.of(
                "last heard " + Instant.ofEpochMilli(lastSeenMs) + "; sampling interval " + intervalMs / 1000.0 + " s");
        String advice = "On " + host
                + ": `systemctl status redwatch-agent` and `journalctl -u redwatch-agent`; check that it can reach the collector.";
        return Optional.of(new Finding(RULE, Severity.WARNING, host, host, summary, evidence, advice, nowMs));
    }
}
