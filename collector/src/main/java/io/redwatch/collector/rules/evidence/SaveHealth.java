package io.redwatch.collector.rules.evidence;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.rules.view.InfoView;
import io.redwatch.collector.rules.view.InstanceView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether background RDB saves (or AOF rewrites) fail, from INFO when it says so and from the log
 * otherwise: the failures, whether they still go on at the end of the data, and the first success
 * after the last failure.
 */
public final class SaveHealth {
    public final List<LogLine> failures;
    public final Optional<LogLine> recovery;
    /** The INFO status field and its value when INFO has it ("err"/"ok"). */
    final Optional<String> infoStatus;

    final String statusField;
    public final boolean failingNow;

    private SaveHealth(
            List<LogLine> failures, Optional<LogLine> recovery, String statusField, Optional<InfoView> info) {
        this.failures = List.copyOf(failures);
        this.recovery = recovery;
        this.statusField = statusField;
        this.infoStatus = info.flatMap(i -> i.get(statusField)).map(String::trim);
        boolean logFailing = !failures.isEmpty() && recovery.isEmpty();
        if (infoStatus.isPresent() && "err".equalsIgnoreCase(infoStatus.get())) {
            failingNow = true;
        } else if (infoStatus.isPresent()
                && (failures.isEmpty()
                        || !info.get().pasted()
                                && info.get().tsMs()
                                        >= failures.get(failures.size() - 1).tsMs())) {
            // INFO is the server's own word on its last attempt, when it is known to be newer than the log's failures.
            failingNow = false;
        } else {
            // Pasted INFO has no time of its own: its "ok" may predate the failures in the log.
            failingNow = logFailing;
        }
    }

    public static SaveHealth rdb(InstanceView h) {
        List<LogLine> failures = new ArrayList<>();
        for (LogLine l : h.logs()) {
            if (l.is(LogKind.BGSAVE_ERROR) || l.is(LogKind.FORK_FAILED) && isRdbFork(l)) failures.add(l);
        }
        Optional<LogLine> recovery = failures.isEmpty()
                ? Optional.empty()
                : firstAfter(h, failures.get(failures.size() - 1), LogKind.BGSAVE_OK, LogKind.DB_SAVED);
        return new SaveHealth(failures, recovery, "rdb_last_bgsave_status", h.infoWith("rdb_last_bgsave_status"));
    }

    public static SaveHealth aof(InstanceView h) {
        List<LogLine> failures = new ArrayList<>();
        for (LogLine l : h.logs()) {
            if (l.is(LogKind.AOF_REWRITE_ERROR)
                    || l.is(LogKind.AOF_PIPE_ERROR)
                    || l.is(LogKind.FORK_FAILED) && !isRdbFork(l)) {
                failures.add(l);
            }
        }
        Optional<LogLine> recovery = failures.isEmpty()
                ? Optional.empty()
                : firstAfter(h, failures.get(failures.size() - 1), LogKind.AOF_REWRITE_OK);
        return new SaveHealth(failures, recovery, "aof_last_bgrewrite_status", h.infoWith("aof_last_bgrewrite_status"));
    }

    public static boolean isRdbFork(LogLine l) {
        return !l.text().contains("append only file");
    }

    public boolean everFailed() {
        return failingNow || !failures.isEmpty();
    }

    /** The failure's own words: the newest failure line, else the INFO field. */
    public String cause() {
        if (!failures.isEmpty()) {
            // The child logs the reason ("Failed opening ... Permission denied"), the parent then only
            // "Background saving error": the reason is the newest specific line of the same attempt.
            LogLine last = failures.get(failures.size() - 1);
            for (int i = failures.size() - 1; i >= 0; i--) {
                LogLine l = failures.get(i);
                if (last.tsMs() - l.tsMs() > 60_000) break;
                if (!l.text().contains("Background saving error") && !l.text().contains("terminated with error"))
                    return l.text();
            }
            return last.text();
        }
        return statusField + ":err";
    }

    public List<String> evidence(InstanceView h, int max) {
        List<String> out = new ArrayList<>(h.evidence(failures, max));
        infoStatus.ifPresent(s -> out.add(h.infoWith(statusField)
                        .map(i -> i.pasted() ? "INFO (pasted)" : h.time(i.tsMs()) + " INFO")
                        .orElse("INFO")
                + ": " + statusField + ":" + s));
        recovery.ifPresent(r -> out.add(h.evidence(r) + "   <- succeeded again"));
        return out;
    }

    public long newestTs(InstanceView h) {
        if (recovery.isPresent()) return recovery.get().tsMs();
        if (!failures.isEmpty()) return failures.get(failures.size() - 1).tsMs();
        return h.nowMs();
    }

    private static Optional<LogLine> firstAfter(InstanceView h, LogLine after, LogKind... kinds) {
        boolean seen = false;
        for (LogLine l : h.logs()) {
            if (l == after) {
                seen = true;
                continue;
            }
            if (!seen) continue;
            for (LogKind k : kinds) {
                if (l.is(k)) return Optional.of(l);
            }
        }
        return Optional.empty();
    }
}
