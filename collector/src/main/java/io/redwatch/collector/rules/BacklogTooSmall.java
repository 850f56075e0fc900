package io.redwatch.collector.rules;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.rules.evidence.SyncWindow;
import io.redwatch.collector.rules.view.ByteSize;
import io.redwatch.collector.rules.view.InstanceView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * backlog_too_small: a replica could not resume for lack of backlog (the master's log), or the
 * backlog is smaller than what one sync window writes (W × T, measured).
 */
final class BacklogTooSmall implements Rule {
    @Override
    public String id() {
        return "backlog_too_small";
    }

    @Override
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        List<LogLine> refused = h
                .recentLogs(LogKind.PARTIAL_RESYNC_REFUSED, t.fullResyncWindow().toMillis())
                .stream()
                .filter(l -> l.text().contains("lack of backlog"))
                .toList();
        SyncWindow w = SyncWindow.of(h);
        boolean isMaster = h.info("role").map("master"::equals).orElse(true);
        boolean measuredShort = isMaster
                && w.neededBytes().isPresent()
                && w.backlogBytes() < w.neededBytes().getAsDouble()
                && (!w.backlog().assumed() || !refused.isEmpty());
        if (refused.isEmpty() && !measuredShort) return Optional.empty();
        List<String> evidence = new ArrayList<>(h.evidence(refused, t.evidenceLines()));
        evidence.addAll(w.evidence());
        String needed = w.neededBytes().isPresent()
                ? "; one sync window writes "
                        + ByteSize.human((long) w.neededBytes().getAsDouble())
                : "";
        String summary = h.instance() + ": replication backlog " + ByteSize.human(w.backlogBytes())
                + (w.backlog().assumed() ? " (assumed default)" : "") + " is too small"
                + (refused.isEmpty() ? "" : ", partial resync refused " + refused.size() + " times") + needed;
        String advice = "Make the backlog hold a whole sync window (W × T with headroom ×" + t.headroom() + "): "
                + w.backlogCommand(t.headroom()) + ".";
        long ts =
                refused.isEmpty() ? h.nowMs() : refused.get(refused.size() - 1).tsMs();
        return Optional.of(Finding.of(h, id(), Severity.WARNING, summary, evidence, advice, ts));
    }
}
