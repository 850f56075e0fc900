package io.redwatch.collector.rules;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.rules.evidence.ForkBudget;
import io.redwatch.collector.rules.evidence.SaveHealth;
import io.redwatch.collector.rules.view.ByteSize;
import io.redwatch.collector.rules.view.InstanceView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** fork_enomem: the log says fork() failed for lack of memory, for an RDB save or an AOF rewrite. */
final class ForkEnomem implements Rule {
    @Override
    public String id() {
        return "fork_enomem";
    }

    @Override
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        // Only a fork refused for memory is this rule (or a line cut before its reason): "fork: Invalid
        // argument" (Windows' emulated fork) and the like fail saves for another cause, bgsave_failing's.
        List<LogLine> forks = h.logs(LogKind.FORK_FAILED).stream()
                .filter(ForkEnomem::forMemory)
                .toList();
        if (forks.isEmpty()) return Optional.empty();
        List<LogLine> rdb = forks.stream().filter(SaveHealth::isRdbFork).toList();
        SaveHealth health = rdb.isEmpty() ? SaveHealth.aof(h) : SaveHealth.rdb(h);
        LogLine first = forks.get(0);
        LogLine last = forks.get(forks.size() - 1);
        if (h.currentOnly() && !health.failingNow) return Optional.empty();
        String what = rdb.isEmpty()
                ? "cannot rewrite its AOF"
                : rdb.size() == forks.size() ? "cannot save" : "cannot save nor rewrite its AOF";
        String reason =
                last.text().contains("Cannot allocate memory") ? "fork() fails for lack of memory" : "fork() fails";
        String times = forks.size() == 1
                ? "at " + h.clock(first.tsMs())
                : forks.size() + " times since " + h.clock(first.tsMs());
        String summary = h.instance() + " " + what + ": " + reason + " (" + times + ")";
        if (health.recovery.isPresent())
            summary += "; worked again at " + h.clock(health.recovery.get().tsMs());
        List<String> evidence = new ArrayList<>(h.evidence(forks, t.evidenceLines()));
        health.recovery.ifPresent(r -> evidence.add(h.evidence(r) + "   <- succeeded again"));
        ForkBudget budget = ForkBudget.of(h);
        evidence.addAll(budget.evidence(h));
        String advice = budget.overcommit == 1
                ? "vm.overcommit_memory is already 1, so the host really lacks memory: add RAM or swap, or shrink the dataset "
                        + "(the fork needs address space for "
                        + budget.processBytes.stream()
                                .mapToObj(ByteSize::human)
                                .findFirst()
                                .orElse("the whole process") + ")."
                : Advice.OVERCOMMIT;
        if (!rdb.isEmpty() && rdb.size() < forks.size() || rdb.isEmpty()) {
            boolean leaks = new FdLeakPipes().evaluate(h, t).isPresent();
            advice += leaks
                    ? " Until then, AOF rewrites keep failing and each failure leaks pipes (see fd_leak_pipes)."
                    : " Until then, AOF rewrites keep failing; on Redis older than 3.2.9 each failure also leaks pipes.";
        }
        Severity sev = health.recovery.isPresent() ? Severity.WARNING : Severity.CRITICAL;
        return Optional.of(Finding.of(
                h,
                id(),
                sev,
                summary,
                evidence,
                advice,
                health.recovery.map(LogLine::tsMs).orElse(last.tsMs())));
    }

    /** Whether this rule fires, without building its finding (other rules' advice asks). */
    static boolean fires(InstanceView h) {
        List<LogLine> forks = h.logs(LogKind.FORK_FAILED).stream()
                .filter(ForkEnomem::forMemory)
                .toList();
        if (forks.isEmpty()) return false;
        boolean rdb = forks.stream().anyMatch(SaveHealth::isRdbFork);
        return !h.currentOnly() || (rdb ? SaveHealth.rdb(h) : SaveHealth.aof(h)).failingNow;
    }

    static boolean forMemory(LogLine l) {
        String t = l.text();
        int at = t.indexOf("fork:");
        return t.contains("Cannot allocate memory")
                || at < 0
                || t.substring(at + 5).isBlank();
    }
}
