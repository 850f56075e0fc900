package io.redwatch.collector.rules;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.rules.evidence.FdCeiling;
import io.redwatch.collector.rules.evidence.SaveHealth;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.proto.v1.ProcessFacts;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * fd_leak_pipes: the redis process holds ever more pipe fds (Redis before 3.2.9 leaks the AOF rewrite
 * pipes on every failed fork, issues #2857 and #2883). From process facts: pipes above
 * {@code pipeFds} while sockets are fewer, pipes filling half of the descriptor ceiling, or pipes rising
 * by {@code pipeGrowth} across the window. Without process facts, inferred from the log on a Redis that
 * has the bug (before 3.2.9, or a version the paste does not tell): failed AOF-rewrite forks followed by
 * the out-of-range errors of a full descriptor table, or the rewrite's pipes themselves out of range.
 * Many sockets are not this rule.
 */
final class FdLeakPipes implements Rule {
    @Override
    public String id() {
        return "fd_leak_pipes";
    }

    @Override
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        Optional<ProcessFacts> latest = h.latestProcess();
        if (latest.isPresent()) return fromFacts(h, t, latest.get());
        return fromLog(h, t);
    }

    private Optional<Finding> fromFacts(InstanceView h, Thresholds t, ProcessFacts p) {
        ProcessFacts first = h.processes().stream()
                .filter(f -> f.getError().isEmpty())
                .findFirst()
                .orElse(p);
        int growth = p.getFdPipes() - first.getFdPipes();
        // A healthy Redis holds a handful of pipes (child-info, AOF rewrite and diskless-sync pipes: a
        // dozen at most, and only while a child runs). A table where pipes outnumber the sockets and pass
        // pipeFds, or fill half of the descriptor ceiling, is a leak from one sample: no history needed.
        FdCeiling ceiling = FdCeiling.of(h);
        boolean dominated = p.getFdPipes() >= t.pipeFds() && p.getFdPipes() > p.getFdSockets();
        boolean halfCeiling = ceiling.fds() > 0
                && p.getFdPipes() >= ceiling.fds() / 2.0
                && p.getFdPipes() > p.getFdSockets()
                && !(h.currentOnly()
                        && ceiling.maxclients().assumed()
                        && ceiling.how().startsWith("maxclients"));
        boolean rising = growth >= t.pipeGrowth();
        if (!dominated && !halfCeiling && !rising) return Optional.empty();
        List<String> evidence = new ArrayList<>();
        evidence.add(h.time(p.getTsMs()) + " /proc/" + p.getPid() + "/fd: " + p.getFdTotal() + " fds, " + p.getFdPipes()
                + " pipes, " + p.getFdSockets() + " sockets, " + p.getFdFiles() + " files");
        if (first != p) {
            evidence.add(h.time(first.getTsMs()) + " /proc/" + first.getPid() + "/fd: " + first.getFdPipes()
                    + " pipes (+" + growth + " since)");
        }
        if (halfCeiling) {
            evidence.add(String.format(
                    java.util.Locale.ROOT,
                    "pipes hold %.0f%% of the descriptor ceiling %d (%s)",
                    100.0 * p.getFdPipes() / ceiling.fds(),
                    ceiling.fds(),
                    ceiling.how()));
        }
        addLogHints(h, t, evidence);
        String summary = h.instance() + " leaks pipe fds: " + p.getFdPipes() + " pipes open against " + p.getFdSockets()
                + " sockets" + (rising ? " (+" + growth + " since " + h.clock(first.getTsMs()) + ")" : "");
        return Optional.of(Finding.of(h, id(), Severity.CRITICAL, summary, evidence, advice(h), p.getTsMs()));
    }

    private Optional<Finding> fromLog(InstanceView h, Thresholds t) {
        List<LogLine> aofForks = h.logs(LogKind.FORK_FAILED).stream()
                .filter(l -> !SaveHealth.isRdbFork(l))
                .toList();
        boolean fixed = h.version().map(v -> v.atLeast(3, 2, 9)).orElse(false);
        // The rewrite's own pipes numbered past the event loop (ERANGE): on a Redis with the bug, the
        // pipes of earlier failed rewrites fill the table, whether or not the paste kept those failures.
        List<LogLine> pipesPastLoop = h.logs(LogKind.AOF_PIPE_ERROR).stream()
                .filter(l -> l.text().contains("out of range"))
                .toList();
        boolean tableFull = !pipesPastLoop.isEmpty()
                || h.logs(LogKind.FD_REGISTRATION_ERROR).stream().anyMatch(FdCeiling::pastEventLoop);
        if (fixed || !tableFull || aofForks.isEmpty() && pipesPastLoop.isEmpty()) return Optional.empty();
        if (aofForks.isEmpty()) return fromPipeErrors(h, pipesPastLoop);
        List<String> evidence = new ArrayList<>();
        evidence.addAll(h.evidence(aofForks, Math.max(2, t.evidenceLines() / 2)));
        addLogHints(h, t, evidence);
        evidence.add("no process facts: the pipe count is inferred; `ls -l /proc/<pid>/fd | grep -c pipe` confirms it");
        evidence.add("Redis version " + h.version().map(Object::toString).orElse("unknown")
                + " (the leak is fixed in 3.2.9)");
        String summary = h.instance() + " very likely leaks pipe fds: " + aofForks.size()
                + " failed AOF-rewrite forks, then its descriptor table overflowed";
        return Optional.of(Finding.of(
                h,
                id(),
                Severity.WARNING,
                summary,
                evidence,
                advice(h),
                aofForks.get(aofForks.size() - 1).tsMs()));
    }

    private Optional<Finding> fromPipeErrors(InstanceView h, List<LogLine> pipes) {
        List<String> evidence = new ArrayList<>(h.evidence(pipes, 3));
        evidence.add("no process facts: the pipe count is inferred; `ls -l /proc/<pid>/fd | grep -c pipe` confirms it");
        evidence.add("Redis version " + h.version().map(Object::toString).orElse("unknown (not in the log)")
                + ": before 3.2.9 every failed AOF rewrite leaks its pipes (redis issues #2857, #2883)");
        String summary = h.instance()
                + " very likely leaks pipe fds: its AOF rewrite cannot open pipes, their descriptors are past "
                + "the event loop (" + pipes.size() + (pipes.size() == 1 ? " error)" : " errors)");
        LogLine last = pipes.get(pipes.size() - 1);
        return Optional.of(Finding.of(h, id(), Severity.WARNING, summary, evidence, advice(h), last.tsMs()));
    }

    private static void addLogHints(InstanceView h, Thresholds t, List<String> evidence) {
        List<LogLine> pipes = h.logs(LogKind.AOF_PIPE_ERROR);
        if (!pipes.isEmpty()) evidence.addAll(h.evidence(pipes, 2));
        List<LogLine> reg = h.logs(LogKind.FD_REGISTRATION_ERROR);
        if (!reg.isEmpty()) evidence.add(h.evidence(reg.get(reg.size() - 1)));
    }

    private static String advice(InstanceView h) {
        boolean fixed = h.version().map(v -> v.atLeast(3, 2, 9)).orElse(false);
        if (fixed) {
            return "This Redis (" + h.version().get()
                    + ") has the AOF pipe-leak fix, so find the holder: `ls -l /proc/<pid>/fd | grep pipe`, "
                    + "modules and scripts; restart redis-server (after a failover) to release the fds.";
        }
        String fork = ForkEnomem.fires(h)
                ? "Fix the failing fork first (see fork_enomem: `sysctl vm.overcommit_memory=1`)"
                : "Fix what makes the AOF rewrite fail (usually fork() for lack of memory: `sysctl vm.overcommit_memory=1`)";
        return fork + "; upgrade Redis to 3.2.9 or later, "
                + "which closes the rewrite pipes when fork fails (redis issues #2857, #2883); restart redis-server (after a failover) "
                + "to release the leaked fds.";
    }
}
