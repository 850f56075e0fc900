package io.redwatch.collector.rules;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.rules.evidence.SyncWindow;
import io.redwatch.collector.rules.view.ByteSize;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.collector.rules.view.LogText;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** output_buffer_limit_kill: Redis closed clients (replicas above all) for overcoming their output buffer limit. */
final class OutputBufferLimitKill implements Rule {
    @Override
    public String id() {
        return "output_buffer_limit_kill";
    }

    @Override
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        List<LogLine> kills = h.recentLogs(
                LogKind.OUTPUT_BUFFER_LIMIT_KILL, t.fullResyncWindow().toMillis());
        if (kills.isEmpty()) return Optional.empty();
        List<LogLine> replicas =
                kills.stream().filter(SyncWindow::isReplicaClient).toList();
        List<String> evidence = new ArrayList<>(h.evidence(kills, t.evidenceLines()));
        LogLine last = kills.get(kills.size() - 1);
        if (!replicas.isEmpty()) {
            SyncWindow w = SyncWindow.of(h);
            String who = replicas.stream()
                    .map(l -> LogText.clientField(l.text(), "addr")
                            .map(a -> a.substring(0, Math.max(0, a.lastIndexOf(':'))))
                            .orElse("?"))
                    .distinct()
                    .reduce((a, b) -> a + ", " + b)
                    .orElse("?");
            String summary = h.instance() + " dropped its replica " + who + " " + times(replicas.size())
                    + " for a full output buffer (peak "
                    + ByteSize.human(w.omemPeak().orElse(0)) + ", limit "
                    + w.replicaLimitText().replace(" (not known: assumed, Redis's default)", ", assumed default") + ")";
            evidence.addAll(w.evidence());
            String advice = "Raise the replica class limit above the observed peak and what one sync window needs: "
                    + w.limitCommand(t.headroom())
                    + ". The dropped replica starts a full resync unless the backlog still holds its offset.";
            return Optional.of(Finding.of(h, id(), Severity.WARNING, summary, evidence, advice, last.tsMs()));
        }
        OptionalLong peak = kills.stream()
                .map(l -> LogText.number(LogText.clientField(l.text(), "omem")))
                .filter(OptionalLong::isPresent)
                .mapToLong(OptionalLong::getAsLong)
                .max()
                .stream()
                .boxed()
                .findFirst()
                .map(OptionalLong::of)
                .orElse(OptionalLong.empty());
        boolean pubsub = kills.stream()
                .anyMatch(l -> LogText.clientField(l.text(), "flags")
                                .map(f -> f.contains("P"))
                                .orElse(false)
                        || LogText.clientField(l.text(), "sub")
                                .map(s -> !"0".equals(s))
                                .orElse(false));
        String cls = pubsub ? "pubsub" : "normal";
        long hard = ByteSize.roundUpConfig(peak.orElse(32L << 20) * t.headroom());
        String summary = h.instance() + " closed " + kills.size() + " " + cls
                + " client(s) for a full output buffer (peak " + ByteSize.human(peak.orElse(0)) + ")";
        String advice =
                "Those clients read too slowly. Find them with `redis-cli CLIENT LIST` (omem); if the volume is expected, raise the "
                        + cls + " limit: `redis-cli CONFIG SET client-output-buffer-limit \"" + cls + " "
                        + ByteSize.config(hard) + " "
                        + ByteSize.config(hard / 2) + " 60\"`.";
        return Optional.of(Finding.of(h, id(), Severity.WARNING, summary, evidence, advice, last.tsMs()));
    }

    private static String times(int n) {
        return n == 1 ? "once" : n + " times";
    }
}
