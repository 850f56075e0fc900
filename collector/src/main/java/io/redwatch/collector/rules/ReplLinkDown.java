package io.redwatch.collector.rules;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.rules.view.InfoView;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.collector.rules.view.LogText;
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
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        long limitSec = t.replLinkDown().toSeconds();
        Optional<InfoView> info = h.infoWith("master_link_status");
        List<String> evidence = new ArrayList<>();
        if (info.isPresent()
                && "down".equals(info.get().get("master_link_status").orElse(""))) {
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
                    + since.stream()
                            .mapToObj(s -> " master_link_down_since_seconds:" + s)
                            .findFirst()
                            .orElse("")
                    + i.get("master_host").map(m -> " master_host:" + m).orElse("");
            if (downSec >= limitSec) {
                evidence.add(where);
                String how = downSec > NEVER_CONNECTED
                        ? "since it started: it never completed a sync (Redis reports " + downSec
                                + " s, the time since 1970)"
                        : "for " + downSec + " s";
                return Optional.of(Finding.of(
                        h,
                        id(),
                        Severity.WARNING,
                        h.instance() + ": the replica's link to its master is down " + how,
                        evidence,
                        advice(),
                        i.tsMs()));
            }
            if (since.isPresent() || !i.pasted()) return Optional.empty();
        }
        // A sampled INFO that says the link is up outweighs a log whose end may be cut.
        if (info.isPresent()
                && !info.get().pasted()
                && "up".equals(info.get().get("master_link_status").orElse(""))) return Optional.empty();
        return fromLog(h, limitSec);
    }

    /**
     * Without INFO the log shows the link down: a failure (link lost, I/O error, timeout, socket error,
     * cannot connect, or an RDB that could not be loaded) and no sync finished since; down since that
     * failure, or since the connection attempt it ended when the attempt came first (a replica that never
     * reached its master logs "Connecting to MASTER" long before its first timeout).
     */
    private Optional<Finding> fromLog(InstanceView h, long limitSec) {
        LogLine attempt = null;
        LogLine since = null;
        List<LogLine> failures = new ArrayList<>();
        for (LogLine l : h.logs()) {
            if (!l.timed()) continue;
            if (l.is(LogKind.SYNC_FINISHED) || l.is(LogKind.PARTIAL_RESYNC_ACCEPTED)) {
                attempt = null;
                since = null;
                failures.clear();
            } else if (l.is(LogKind.MASTER_LINK_LOST) || l.is(LogKind.SYNC_LOAD_FAILED)) {
                if (since == null) since = attempt != null ? attempt : l;
                failures.add(l);
            } else if (attempt == null
                    && since == null
                    && LogText.masterAddress(l.text()).isPresent()) {
                attempt = l;
            }
        }
        if (since == null || h.nowMs() - since.tsMs() < limitSec * 1000) return Optional.empty();
        long downSec = (h.nowMs() - since.tsMs()) / 1000;
        List<String> evidence = new ArrayList<>();
        if (since != failures.get(0)) evidence.add(h.evidence(since) + "   <- last attempt to reach the master");
        evidence.addAll(h.evidence(failures, 4));
        evidence.add("no sync finished in the log up to " + h.time(h.nowMs()));
        String summary = h.instance() + ": the replica has had no working link to its master for " + downSec
                + " s (since " + h.clock(since.tsMs())
                + (failures.size() > 1 ? ", " + failures.size() + " failures" : "") + ")";
        return Optional.of(Finding.of(
                h,
                id(),
                Severity.WARNING,
                summary,
                evidence,
                advice(),
                failures.get(failures.size() - 1).tsMs()));
    }

    private static String advice() {
        return "The replica serves stale data. Check from the replica that the master answers (`redis-cli -h <master_host> -p <master_port> PING`), "
                + "its masterauth, and the master's log for why it drops the replica (\"scheduled to be closed ASAP for overcoming of output buffer limits\": "
                + "raise client-output-buffer-limit; a timeout: raise repl-timeout).";
    }
}
