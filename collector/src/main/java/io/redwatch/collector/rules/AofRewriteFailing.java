package io.redwatch.collector.rules;

import io.redwatch.collector.rules.evidence.SaveHealth;
import io.redwatch.collector.rules.view.InstanceView;
import java.util.Optional;

/** aof_rewrite_failing: aof_last_bgrewrite_status:err, or the log says a rewrite failed (fork, pipes, child error). */
final class AofRewriteFailing implements Rule {
    @Override
    public String id() {
        return "aof_rewrite_failing";
    }

    @Override
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        SaveHealth s = SaveHealth.aof(h);
        if (!s.everFailed() || h.currentOnly() && !s.failingNow) return Optional.empty();
        String cause = s.cause();
        String why = cause.contains("fork")
                ? "fork() fails" + (cause.contains("Cannot allocate memory") ? " for lack of memory" : "")
                : cause.contains("IPC pipes")
                        ? "it cannot open its pipes ("
                                + cause.substring(cause.indexOf(':') + 1).trim() + ")"
                        : cause;
        String summary = h.instance()
                + (s.failingNow ? " cannot rewrite its AOF: " : " failed to rewrite its AOF: ")
                + why
                + (s.failures.size() > 1
                        ? " (" + s.failures.size() + " failures since "
                                + h.clock(s.failures.get(0).tsMs()) + ")"
                        : "")
                + s.recovery
                        .map(r -> "; a rewrite succeeded at " + h.clock(r.tsMs()))
                        .orElse("");
        String advice = cause.contains("fork")
                ? Advice.OVERCOMMIT + " The AOF keeps growing until a rewrite succeeds."
                : cause.contains("IPC pipes")
                        ? pipeAdvice(h, t)
                        : "Read the log around the failure; check the disk of `dir` (`df -h`), then `redis-cli BGREWRITEAOF`.";
        // A failing rewrite hurts slowly (the AOF grows); what it leads to (fd_leak_pipes, maxclients_exhausted) pages.
        return Optional.of(Finding.of(
                h, id(), Severity.WARNING, summary, s.evidence(h, t.evidenceLines()), advice, s.newestTs(h)));
    }

    /** Names the rules that explain a pipe error only when they hold, so the advice never points at nothing. */
    private static String pipeAdvice(InstanceView h, Thresholds t) {
        boolean leak = new FdLeakPipes().evaluate(h, t).isPresent();
        boolean full = new MaxclientsExhausted().evaluate(h, t).isPresent();
        if (!leak && !full)
            return "Read the error after \"IPC pipes\": check the process's descriptors (`ls /proc/<pid>/fd | wc -l`, `ulimit -n`).";
        String seen = leak && full
                ? "see fd_leak_pipes and maxclients_exhausted"
                : leak ? "see fd_leak_pipes" : "see maxclients_exhausted";
        return "The descriptor table is full (" + seen + "); restart redis-server after a failover"
                + (leak ? ", fix the fork failure that leaks the pipes and upgrade Redis to 3.2.9 or later." : ".");
    }
}
