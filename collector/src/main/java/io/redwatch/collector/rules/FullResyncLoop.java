package io.redwatch.collector.rules;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.rules.evidence.AbortedSyncs;
import io.redwatch.collector.rules.evidence.FullResyncs;
import io.redwatch.collector.rules.evidence.SyncWindow;
import io.redwatch.collector.rules.view.InfoView;
import io.redwatch.collector.rules.view.InstanceView;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * full_resync_loop: one replica fully resynced at least {@code fullResyncCount} times within
 * {@code fullResyncWindow} (log on either side, or the master's sync_full counter), or a sync the log
 * shows can never complete, from its first cycle ({@link AbortedSyncs}). One full resync after a
 * restart is normal and is not a loop; nor is a partial resync accepted.
 */
final class FullResyncLoop implements Rule {
    @Override
    public String id() {
        return "full_resync_loop";
    }

    @Override
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        long windowMs = t.fullResyncWindow().toMillis();
        String peer = null;
        List<LogLine> lines = List.of();
        int most = 0;
        for (Map.Entry<String, List<LogLine>> e : FullResyncs.of(h).byPeer().entrySet()) {
            List<LogLine> counted = h.currentOnly()
                    ? e.getValue().stream()
                            .filter(l -> l.tsMs() >= h.nowMs() - windowMs)
                            .toList()
                    : e.getValue();
            int n = FullResyncs.maxInWindow(counted, windowMs);
            // On a tie the master's side wins: its log names the replica.
            if (n > most || n == most && n > 0 && e.getKey().startsWith("replica ")) {
                most = n;
                peer = e.getKey();
                lines = e.getValue();
            }
        }
        List<String> evidence = new ArrayList<>();
        String summary;
        long ts;
        Optional<List<AbortedSyncs.Abort>> mechanism =
                most >= t.fullResyncCount() ? Optional.empty() : mechanism(h, windowMs);
        if (most >= t.fullResyncCount()) {
            boolean replicaSide = peer.startsWith("master");
            String span = h.clock(lines.get(0).tsMs()) + "–"
                    + h.clock(lines.get(lines.size() - 1).tsMs());
            summary = replicaSide
                    ? String.format(
                            Locale.ROOT,
                            "%s keeps reloading its whole dataset: %d full resyncs from %s (%s, %d within %d min)",
                            h.instance(),
                            lines.size(),
                            peer,
                            span,
                            most,
                            windowMs / 60_000)
                    : String.format(
                            Locale.ROOT,
                            "%s keeps fully resyncing %s: %d full resyncs (%s, %d within %d min)",
                            h.instance(),
                            peer,
                            lines.size(),
                            span,
                            most,
                            windowMs / 60_000);
            evidence.addAll(h.evidence(lines, t.evidenceLines()));
            ts = lines.get(lines.size() - 1).tsMs();
        } else if (mechanism.isPresent()) {
            List<AbortedSyncs.Abort> aborts = mechanism.get();
            AbortedSyncs.Abort last = aborts.get(aborts.size() - 1);
            String who = last.peer().equals("master")
                    ? h.instance() + " cannot complete a full sync from its master"
                    : h.instance() + " cannot complete a full sync of "
                            + (last.peer().equals("?") ? "a replica" : "replica " + last.peer());
            summary = who + ": " + last.why() + (aborts.size() > 1 ? " (" + aborts.size() + " times)" : "")
                    + "; it starts over each time, a loop";
            for (AbortedSyncs.Abort a : aborts.subList(Math.max(0, aborts.size() - t.evidenceLines()), aborts.size())) {
                evidence.add(h.evidence(a.line()) + "   <- " + a.why());
            }
            evidence.addAll(h.evidence(lines, Math.max(2, t.evidenceLines() / 2)));
            ts = last.line().tsMs();
        } else {
            OptionalLong syncs = syncFullGrowth(h, windowMs);
            if (syncs.isEmpty() || syncs.getAsLong() < t.fullResyncCount()) return Optional.empty();
            summary = String.format(
                    Locale.ROOT,
                    "%s served %d full resyncs within %d min (INFO sync_full)",
                    h.instance(),
                    syncs.getAsLong(),
                    windowMs / 60_000);
            evidence.add("INFO sync_full rose by " + syncs.getAsLong() + " between "
                    + h.time(h.infos().get(0).tsMs()) + " and "
                    + h.time(h.infos().get(h.infos().size() - 1).tsMs()));
            ts = h.infos().get(h.infos().size() - 1).tsMs();
        }
        List<String> loads = loadTimes(h);
        if (!loads.isEmpty()) {
            evidence.add("the replica refused commands (LOADING) while it loaded: " + String.join(", ", loads));
        }
        int kills = (int) h.logs(LogKind.OUTPUT_BUFFER_LIMIT_KILL).stream()
                .filter(SyncWindow::isReplicaClient)
                .count();
        int refused = (int) h.logs(LogKind.PARTIAL_RESYNC_REFUSED).stream()
                .filter(l -> l.text().contains("lack of backlog"))
                .count();
        if (kills > 0)
            evidence.add("the master dropped the replica " + kills + " times for overcoming its output buffer limit");
        if (refused > 0) evidence.add("partial resync refused " + refused + " times for lack of backlog");
        SyncWindow w = SyncWindow.of(h);
        evidence.addAll(w.evidence());
        String advice = "Stop the loop: raise the replica output-buffer limit above what one sync needs: "
                + w.limitCommand(t.headroom())
                + "; and make the backlog hold a whole sync window so a dropped replica can resume: "
                + w.backlogCommand(t.headroom()) + ".";
        if (w.bgsaveSec().isPresent()
                && w.transferSec().isPresent()
                && w.bgsaveSec().getAsDouble() > w.transferSec().getAsDouble()) {
            advice += " The BGSAVE on disk dominates the window: `repl-diskless-sync yes` shortens it.";
        }
        return Optional.of(Finding.of(h, id(), Severity.CRITICAL, summary, evidence, advice, ts));
    }

    /**
     * A sync that can never complete is a loop from its first cycle (see {@link AbortedSyncs}); live,
     * only aborts within the window count, so a loop that stopped resolves.
     */
    private static Optional<List<AbortedSyncs.Abort>> mechanism(InstanceView h, long windowMs) {
        return AbortedSyncs.of(h, h.currentOnly() ? h.nowMs() - windowMs : Long.MIN_VALUE)
                .worst();
    }

    /** The flush + load durations on the replica side, e.g. "22.5 s at 13:55". */
    private static List<String> loadTimes(InstanceView h) {
        List<String> out = new ArrayList<>();
        LogLine flushing = null;
        for (LogLine l : h.logs()) {
            if (l.is(LogKind.SYNC_LOADING) && l.text().contains("Flushing old data")) flushing = l;
            if (l.is(LogKind.SYNC_FINISHED) && flushing != null) {
                out.add(String.format(
                        Locale.ROOT, "%.1f s at %s", (l.tsMs() - flushing.tsMs()) / 1000.0, h.clock(flushing.tsMs())));
                flushing = null;
            }
        }
        return out.size() > 6 ? out.subList(out.size() - 6, out.size()) : out;
    }

    private static OptionalLong syncFullGrowth(InstanceView h, long windowMs) {
        InfoView first = null;
        InfoView last = null;
        for (InfoView i : h.infos()) {
            if (i.pasted() || i.number("sync_full").isEmpty()) continue;
            if (h.nowMs() - i.tsMs() > windowMs) continue;
            if (first == null) first = i;
            last = i;
        }
        if (first == null || first == last) return OptionalLong.empty();
        return OptionalLong.of(
                last.number("sync_full").getAsLong() - first.number("sync_full").getAsLong());
    }
}
