package io.redwatch.collector.rules;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.rules.view.InfoView;
import io.redwatch.collector.rules.view.InstanceView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** aof_fsync_slow: "Asynchronous AOF fsync is taking too long (disk is busy?)", or INFO aof_delayed_fsync rising. */
final class AofFsyncSlow implements Rule {
    @Override
    public String id() {
        return "aof_fsync_slow";
    }

    @Override
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        List<LogLine> lines = h.logs(LogKind.AOF_FSYNC_SLOW);
        OptionalLong delayed = growth(h);
        boolean rising = delayed.isPresent() && delayed.getAsLong() > 0;
        if (lines.isEmpty() && !rising) return Optional.empty();
        List<String> evidence = new ArrayList<>(h.evidence(lines, t.evidenceLines()));
        if (rising) evidence.add("INFO aof_delayed_fsync rose by " + delayed.getAsLong() + " in the window");
        String summary = h.instance() + ": the disk cannot keep up with AOF fsync"
                + (lines.isEmpty()
                        ? ""
                        : " (" + lines.size() + " warnings since "
                                + h.clock(lines.get(0).tsMs()) + ")")
                + "; writes stall meanwhile";
        String advice =
                "Find what loads the disk (`iostat -x 1`; a BGSAVE or rewrite at the same time?); put the AOF on a faster disk, or "
                        + "`redis-cli CONFIG SET no-appendfsync-on-rewrite yes` to skip fsync during rewrites (risking up to 30 s of writes on a crash).";
        long ts = lines.isEmpty() ? h.nowMs() : lines.get(lines.size() - 1).tsMs();
        return Optional.of(Finding.of(h, id(), Severity.WARNING, summary, evidence, advice, ts));
    }

    private static OptionalLong growth(InstanceView h) {
        InfoView first = null;
        InfoView last = null;
        for (InfoView i : h.infos()) {
            if (i.pasted() || i.number("aof_delayed_fsync").isEmpty()) continue;
            if (first == null) first = i;
            last = i;
        }
        if (first == null || first == last) return OptionalLong.empty();
        return OptionalLong.of(last.number("aof_delayed_fsync").getAsLong()
                - first.number("aof_delayed_fsync").getAsLong());
    }
}
