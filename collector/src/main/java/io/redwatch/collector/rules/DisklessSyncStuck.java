package io.redwatch.collector.rules;

import io.redwatch.collector.rules.view.InfoView;
import io.redwatch.collector.rules.view.InstanceView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * diskless_sync_stuck: a replica's sync in progress for longer than {@code syncStuck}, or reporting
 * nonsense progress (negative master_sync_left_bytes, seen with diskless transfers of old Redis).
 */
final class DisklessSyncStuck implements Rule {
    @Override
    public String id() {
        return "diskless_sync_stuck";
    }

    @Override
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        Optional<InfoView> info = h.infoWith("master_sync_in_progress");
        if (info.isEmpty()
                || !"1".equals(info.get().get("master_sync_in_progress").orElse(""))) return Optional.empty();
        InfoView i = info.get();
        List<String> evidence = new ArrayList<>();
        String where = i.pasted() ? "INFO (pasted)" : h.time(i.tsMs()) + " INFO";
        OptionalLong left = i.number("master_sync_left_bytes");
        evidence.add(where + ": master_sync_in_progress:1"
                + left.stream()
                        .mapToObj(l -> " master_sync_left_bytes:" + l)
                        .findFirst()
                        .orElse("")
                + i.get("master_sync_last_io_seconds_ago")
                        .map(s -> " master_sync_last_io_seconds_ago:" + s)
                        .orElse(""));
        String summary;
        if (left.isPresent() && left.getAsLong() < 0) {
            summary = h.instance() + ": the replica's sync reports nonsense progress (master_sync_left_bytes "
                    + left.getAsLong() + ")";
        } else {
            long start = i.tsMs();
            for (InfoView v : h.infos()) {
                if (v.pasted() || v.tsMs() > i.tsMs()) continue;
                if ("1".equals(v.get("master_sync_in_progress").orElse(""))) start = Math.min(start, v.tsMs());
                else start = i.tsMs();
            }
            long sec = (i.tsMs() - start) / 1000;
            if (sec < t.syncStuck().toSeconds()) return Optional.empty();
            summary = h.instance() + ": the replica's sync has been in progress for " + sec + " s";
            evidence.add("in progress in every INFO sample since " + h.time(start));
        }
        String advice =
                "Read the master's log for this replica: if it closes it \"for overcoming of output buffer limits\", raise the replica's client-output-buffer-limit; "
                        + "if the master's disk is slow, `redis-cli CONFIG SET repl-diskless-sync yes`; if the network is, raise `repl-timeout`. "
                        + "`redis-cli REPLICAOF <host> <port>` on the replica restarts a stuck sync.";
        return Optional.of(Finding.of(h, id(), Severity.WARNING, summary, evidence, advice, i.tsMs()));
    }
}
