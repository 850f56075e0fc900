package io.redwatch.collector.config;

import io.redwatch.collector.rules.Thresholds;
import io.redwatch.common.config.ConfigException;
import io.redwatch.common.config.YamlNode;
import java.util.Set;

/** The {@code rules:} key of collector.yaml: any threshold of {@link Thresholds}, by its snake_case name. */
public final class ThresholdsConfig {
    private static final Set<String> KEYS = Set.of(
            "fork_risk_ratio",
            "full_resync_count",
            "full_resync_window",
            "repl_link_down",
            "sync_stuck",
            "pipe_fds",
            "pipe_growth",
            "fd_ceiling_ratio",
            "maxmemory_near_ratio",
            "persistence_stale",
            "bgsave_slow",
            "bgsave_iowait_pct",
            "headroom",
            "agent_silent_intervals",
            "evidence_lines");

    private ThresholdsConfig() {}

    public static Thresholds from(YamlNode n) {
        n.allowOnly(KEYS);
        Thresholds d = Thresholds.defaults();
        try {
            return new Thresholds(
                    ratio(n, "fork_risk_ratio", d.forkRiskRatio()),
                    n.integer("full_resync_count", d.fullResyncCount()),
                    n.duration("full_resync_window", d.fullResyncWindow()),
                    n.duration("repl_link_down", d.replLinkDown()),
                    n.duration("sync_stuck", d.syncStuck()),
                    n.integer("pipe_fds", d.pipeFds()),
                    n.integer("pipe_growth", d.pipeGrowth()),
                    ratio(n, "fd_ceiling_ratio", d.fdCeilingRatio()),
                    ratio(n, "maxmemory_near_ratio", d.maxmemoryNearRatio()),
                    n.duration("persistence_stale", d.persistenceStale()),
                    n.duration("bgsave_slow", d.bgsaveSlow()),
                    ratio(n, "bgsave_iowait_pct", d.bgsaveIowaitPct()),
                    ratio(n, "headroom", d.headroom()),
                    n.integer("agent_silent_intervals", d.agentSilentIntervals()),
                    n.integer("evidence_lines", d.evidenceLines()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(n.path() + ": " + e.getMessage());
        }
    }

    private static double ratio(YamlNode n, String key, double dflt) {
        String v = n.string(key, null);
        if (v == null) return dflt;
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(n.path() + "." + key + " must be a number, got '" + v + "'");
        }
    }
}
