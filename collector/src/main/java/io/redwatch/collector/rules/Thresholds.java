package io.redwatch.collector.rules;

import java.time.Duration;

/**
 * Every number a rule compares with, in one place; {@link #defaults()} are the values of
 * docs/incidents.md. Durations and ratios are typed so a configuration file cannot mix units up.
 *
 * @param forkRiskRatio        fork_risk warns once the process's memory reaches this share of what the kernel will promise
 * @param fullResyncCount      full_resync_loop: this many full resyncs of one replica ...
 * @param fullResyncWindow     ... within this window
 * @param replLinkDown         repl_link_down: master link down at least this long
 * @param syncStuck            diskless_sync_stuck: a sync in progress for longer than this
 * @param pipeFds              fd_leak_pipes: this many pipe fds (with fewer sockets) is a leak; a healthy Redis holds a dozen at most
 * @param pipeGrowth           fd_leak_pipes: pipe fds rising by this many across the window is a leak
 * @param fdCeilingRatio       maxclients_exhausted: share of the real fd ceiling
 * @param maxmemoryNearRatio   maxmemory_near: share of maxmemory
 * @param persistenceStale     persistence_stale: changes pending and no save for longer than this
 * @param bgsaveSlow           bgsave_slow: a BGSAVE that takes longer than this
 * @param bgsaveIowaitPct      bgsave_slow: iowait percent while a BGSAVE runs
 * @param headroom             factor on measured needs in computed advice (backlog, buffer limits)
 * @param agentSilentIntervals agent_silent: this many sampling intervals without a word
 * @param evidenceLines        the most evidence lines of one kind a finding lists
 */
public record Thresholds(
        double forkRiskRatio,
        int fullResyncCount,
        Duration fullResyncWindow,
        Duration replLinkDown,
        Duration syncStuck,
        int pipeFds,
        int pipeGrowth,
        double fdCeilingRatio,
        double maxmemoryNearRatio,
        Duration persistenceStale,
        Duration bgsaveSlow,
        double bgsaveIowaitPct,
        double headroom,
        int agentSilentIntervals,
        int evidenceLines) {

    public Thresholds {
        if (forkRiskRatio <= 0 || fdCeilingRatio <= 0 || maxmemoryNearRatio <= 0) {
            throw new IllegalArgumentException("ratios must be positive");
        }
        if (fullResyncCount < 2) throw new IllegalArgumentException("full_resync_count must be at least 2");
        if (headroom < 1) throw new IllegalArgumentException("headroom must be at least 1");
        if (evidenceLines < 1) throw new IllegalArgumentException("evidence_lines must be at least 1");
    }

    public static Thresholds defaults() {
        return new Thresholds(
                0.9,
                3,
                Duration.ofHours(1),
                Duration.ofSeconds(60),
                Duration.ofMinutes(10),
                64,
                64,
                0.9,
                0.9,
                Duration.ofHours(2),
                Duration.ofSeconds(60),
                30.0,
                2.0,
                3,
                6);
    }
}
