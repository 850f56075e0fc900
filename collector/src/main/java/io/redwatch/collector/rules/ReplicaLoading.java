package io.redwatch.collector.rules;

import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.facts.LogKind;
import io.redwatch.proto.v1.PingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * replica_loading: a replica is loading its dataset and answers LOADING to every command: INFO
 * loading:1 on a replica, a PING answered LOADING, or a replica whose log's last sync step is a
 * flush or load not yet finished.
 */
final class ReplicaLoading implements Rule {
    @Override
    public String id() {
        return "replica_loading";
    }

    @Override
    public Optional<Finding> evaluate(InstanceHistory h, Thresholds t) {
        List<String> evidence = new ArrayList<>();
        long ts = 0;
        Optional<PingResult> ping = h.latestPing();
        if (ping.isPresent() && ping.get().getReply().startsWith("LOADING")) {
            evidence.add(h.time(ping.get().getTsMs()) + " PING answered: " + ping.get().getReply());
            ts = ping.get().getTsMs();
        }
        Optional<InfoView> info = h.latestInfo();
        if (info.isPresent() && "1".equals(info.get().get("loading").orElse("")) && "slave".equals(info.get().get("role").orElse(""))) {
            evidence.add((info.get().pasted() ? "INFO (pasted)" : h.time(info.get().tsMs()) + " INFO") + ": role:slave loading:1"
                    + info.get().get("loading_loaded_perc").map(p -> " loaded " + p + "%").orElse(""));
            ts = Math.max(ts, info.get().tsMs());
        }
        LogLine lastStep = null;
        for (LogLine l : h.logs()) {
            if (l.is(LogKind.SYNC_LOADING) || l.is(LogKind.SYNC_FINISHED) || l.is(LogKind.MASTER_LINK_LOST)) lastStep = l;
        }
        boolean logLoading = lastStep != null && lastStep.is(LogKind.SYNC_LOADING)
                && (lastStep.text().contains("Loading DB") || lastStep.text().contains("Flushing old data"));
        if (logLoading) {
            evidence.add(h.evidence(lastStep) + "   (not finished by " + h.time(h.nowMs()) + ")");
            ts = Math.max(ts, lastStep.tsMs());
        }
        if (evidence.isEmpty()) return Optional.empty();
        String summary = h.instance() + " is a replica loading its dataset: it answers LOADING to every command"
                + (logLoading ? " (since " + h.clock(lastStep.tsMs()) + ")" : "");
        String advice = "Clients get errors until the load ends; send reads to the master meanwhile. If this repeats, the replica is in a "
                + "full-resync loop: see full_resync_loop, output_buffer_limit_kill and backlog_too_small.";
        return Optional.of(h.finding(id(), Severity.WARNING, summary, evidence, advice, ts));
    }
}
