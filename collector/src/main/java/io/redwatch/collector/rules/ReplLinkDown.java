package io.redwatch.collector.rules;

import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.facts.LogKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * repl_link_down: a replica's link to its master has been down longer than {@code replLinkDown},
 * from INFO (master_link_status, master_link_down_since_seconds, or down across samples) or from the
 * log (the link was lost and no sync finished since).
 */
final class ReplLinkDown implements Rule {
    /** Old Redis prints the seconds since the epoch when the replica never connected. */
    private static final long NEVER_CONNECTED = 10L * 365 * 24 * 3600;

    @Override
    public String id() {
        return "repl_link_down";
    }

    @Override
    public Optional<Finding> evaluate(InstanceHistory h, Thresholds t) {
        long limitSec = t.replLinkDown().toSeconds();
        Optional<InfoView> info = h.infoWith("master_link_status");
        List<String> evidence = new ArrayList<>();
        if (info.isPresent() && "down".equals(info.get().get("master_link_status").orElse(""))) {
            InfoView i = info.get();
            OptionalLong since = i.number("master_link_down_since_seconds");
            long downSec = since.orElse(-1);
            if (downSec < 0 && !i.pasted()) {
                long firstDown = i.tsMs();
                for (InfoView v : h.infos()) {
                    if (v.pasted()) continue;
                    if ("down".equals(v.get("master_link_status").orElse(""))) {
                        firstDown = Math.min(firstDown, v.tsMs());
                    } else if (v.tsMs() < i.tsMs()) {
                        firstDown = i.tsMs();
                    }
                }
                downSec = (i.tsMs() - firstDown) / 1000;
            }
            String where = (i.pasted() ? "INFO (pasted)" : h.time(i.tsMs()) + " INFO") + ": master_link_status:down"
                    + since.stream().mapToObj(s -> " master_link_down_since_seconds:" + s).findFirst().orElse("")
                    + i.get("master_host").map(m -> " master_host:" + m).orElse("");
            if (downSec >= limitSec) {
                evidence.add(where);
                String how = downSec > NEVER_CONNECTED ? "since it started: it never completed a sync (Redis reports "
                        + downSec + " s, the time since 1970)" : "for " + downSec + " s";
                return Optional.of(h.finding(id(), Severity.WARNING, h.instance() + ": the replica's link to its master is down " + how,
                        evidence, advice(), i.tsMs()));
            }
            if (since.isPresent() || !i.pasted()) return Optional.empty();
        }
        LogLine lost = null;
        for (LogLine l : h.logs()) {
            if (l.is(LogKind.MASTER_LINK_LOST)) {
                if (lost == null) lost = l;
            } else if (l.is(LogKind.SYNC_FINISHED) || l.is(LogKind.PARTIAL_RESYNC_ACCEPTED)) {
                lost = null;
            }
        }
        if (lost == null || !lost.timed() || h.nowMs() - lost.tsMs() < limitSec * 1000) return Optional.empty();
        evidence.add(h.evidence(lost));
        evidence.add("no completed sync in the log up to " + h.time(h.nowMs()));
        return Optional.of(h.finding(id(), Severity.WARNING, h.instance() + ": the replica lost its master at " + h.clock(lost.tsMs())
                + " and has not resynced for " + (h.nowMs() - lost.tsMs()) / 1000 + " s", evidence, advice(), lost.tsMs()));
    }

    private static String advice() {
        return "The replica serves stale data. Check from the replica that the master answers (`redis-cli -h <master_host> -p <master_port> PING`), "
                + "its masterauth, and the master's log for why it drops the replica (output_buffer_limit_kill, repl-timeout).";
    }
}
