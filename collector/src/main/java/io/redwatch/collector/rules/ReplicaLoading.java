package io.redwatch.collector.rules;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.rules.view.InfoView;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.proto.v1.PingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * replica_loading: a replica is loading its dataset and answers LOADING to every command: INFO
 * loading:1 on a replica, a PING answered LOADING, or a replica whose log's last sync step is a
 * flush or load not yet finished (and no PING answered since). A post-mortem also reports reloads:
 * a replica that loaded its dataset again after its first sync refused commands each time.
 */
final class ReplicaLoading implements Rule {
    @Override
    public String id() {
        return "replica_loading";
    }

    @Override
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        List<String> evidence = new ArrayList<>();
        long ts = 0;
        Optional<PingResult> ping = h.latestPing();
        if (ping.isPresent() && ping.get().getReply().startsWith("LOADING")) {
            evidence.add(h.time(ping.get().getTsMs()) + " PING answered: "
                    + ping.get().getReply());
            ts = ping.get().getTsMs();
        }
        Optional<InfoView> info = h.latestInfo();
        if (info.isPresent()
                && "1".equals(info.get().get("loading").orElse(""))
                && "slave".equals(info.get().get("role").orElse(""))) {
            evidence.add(
                    (info.get().pasted() ? "INFO (pasted)" : h.time(info.get().tsMs()) + " INFO")
                            + ": role:slave loading:1"
                            + info.get()
                                    .get("loading_loaded_perc")
                                    .map(p -> " loaded " + p + "%")
                                    .orElse(""));
            ts = Math.max(ts, info.get().tsMs());
        }
        LogLine lastStep = null;
        List<LogLine> loads = new ArrayList<>(); // flush/load steps that ended in "Finished with success"
        List<String> loadTimes = new ArrayList<>();
        LogLine flushing = null;
        for (LogLine l : h.logs()) {
            if (l.is(LogKind.SYNC_LOADING)
                    || l.is(LogKind.SYNC_FINISHED)
                    || l.is(LogKind.MASTER_LINK_LOST)
                    || l.is(LogKind.SYNC_LOAD_FAILED)) lastStep = l;
            if (l.is(LogKind.SYNC_LOADING) && isLoadStep(l) && flushing == null) flushing = l;
            if ((l.is(LogKind.SYNC_FINISHED) || l.is(LogKind.SYNC_LOAD_FAILED)) && flushing != null) {
                // A load of a few milliseconds refuses nobody in practice (clients retry): only loads a
                // client can run into, a second or more, are reported after the fact.
                if (l.tsMs() - flushing.tsMs() >= NOTICEABLE_LOAD_MS || loads.isEmpty()) {
                    loads.add(flushing);
                    loadTimes.add(String.format(
                            java.util.Locale.ROOT,
                            "%.1f s at %s",
                            (l.tsMs() - flushing.tsMs()) / 1000.0,
                            h.clock(flushing.tsMs())));
                }
                flushing = null;
            }
        }
        // While the newest load has not finished the replica refuses commands now; a PING answered
        // after that load started, with anything but LOADING, says it is over.
        boolean logLoading = lastStep != null
                && lastStep.is(LogKind.SYNC_LOADING)
                && isLoadStep(lastStep)
                && !pingAnsweredSince(h, lastStep.tsMs());
        if (logLoading) {
            evidence.add(h.evidence(lastStep) + "   (not finished by " + h.time(h.nowMs()) + ")");
            ts = Math.max(ts, lastStep.tsMs());
        }
        // Post-mortem: a replica that reloaded its dataset while serving refused every command meanwhile.
        // The first load after a start is how a replica begins, not an outage: only reloads count.
        boolean reloaded = !h.currentOnly() && loads.size() >= 2;
        if (reloaded && evidence.isEmpty()) {
            List<String> shown = loadTimes.subList(1, loadTimes.size());
            evidence.add("the replica reloaded its whole dataset " + shown.size()
                    + " times after its first sync, refusing commands " + "(LOADING) each time: "
                    + String.join(", ", shown.subList(Math.max(0, shown.size() - 6), shown.size())));
            evidence.addAll(h.evidence(loads.subList(1, loads.size()), 4));
            ts = loads.get(loads.size() - 1).tsMs();
        }
        if (evidence.isEmpty()) return Optional.empty();
        String summary = logLoading || !reloaded
                ? h.instance() + " is a replica loading its dataset: it answers LOADING to every command"
                        + (logLoading ? " (since " + h.clock(lastStep.tsMs()) + ")" : "")
                : h.instance() + " answered LOADING to every command while it reloaded its dataset "
                        + (loads.size() - 1) + " times (" + h.clock(loads.get(1).tsMs()) + "–"
                        + h.clock(loads.get(loads.size() - 1).tsMs()) + ")";
        boolean loop = new FullResyncLoop().evaluate(h, t).isPresent();
        String advice = "Clients get errors until the load ends; send reads to the master meanwhile."
                + (loop
                        ? " The replica is in a full-resync loop: see full_resync_loop."
                        : " If this repeats, the replica is in a full-resync loop.");
        return Optional.of(Finding.of(h, id(), Severity.WARNING, summary, evidence, advice, ts));
    }

    private static final long NOTICEABLE_LOAD_MS = 1_000;

    private static boolean isLoadStep(LogLine l) {
        return l.text().contains("Loading DB") || l.text().contains("Flushing old data");
    }

    private static boolean pingAnsweredSince(InstanceView h, long tsMs) {
        return h.latestPing()
                .filter(p -> p.getTsMs() >= tsMs && p.getOutcome() == PingResult.Outcome.PONG)
                .isPresent();
    }
}
