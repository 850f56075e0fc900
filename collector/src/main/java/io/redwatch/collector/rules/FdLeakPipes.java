package io.redwatch.collector.rules;

import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.facts.LogKind;
import io.redwatch.proto.v1.ProcessFacts;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * fd_leak_pipes: the redis process holds ever more pipe fds (Redis before 3.2.9 leaks the AOF rewrite
 * pipes on every failed fork, issues #2857 and #2883). From process facts: pipes above
 * {@code pipeFds} while sockets are fewer, or pipes rising by {@code pipeGrowth} across the window.
 * Without process facts, inferred from the log: failed AOF-rewrite forks on a Redis that has the bug,
 * followed by the out-of-range errors of a full descriptor table. Many sockets are not this rule.
 */
final class FdLeakPipes implements Rule {
    @Override
    public String id() {
        return "fd_leak_pipes";
    }

    @Override
    public Optional<Finding> evaluate(InstanceHistory h, Thresholds t) {
        Optional<ProcessFacts> latest = h.latestProcess();
        if (latest.isPresent()) return fromFacts(h, t, latest.get());
        return fromLog(h, t);
    }

    private Optional<Finding> fromFacts(InstanceHistory h, Thresholds t, ProcessFacts p) {
        ProcessFacts first = h.processes().stream().filter(f -> f.getError().isEmpty()).findFirst().orElse(p);
        int growth = p.getFdPipes() - first.getFdPipes();
        boolean many = p.getFdPipes() >= t.pipeFds() && p.getFdPipes() > p.getFdSockets();
        boolean rising = growth >= t.pipeGrowth();
        if (!many && !rising) return Optional.empty();
        List<String> evidence = new ArrayList<>();
        evidence.add(h.time(p.getTsMs()) + " /proc/" + p.getPid() + "/fd: " + p.getFdTotal() + " fds, " + p.getFdPipes() + " pipes, "
                + p.getFdSockets() + " sockets, " + p.getFdFiles() + " files");
        if (first != p) {
            evidence.add(h.time(first.getTsMs()) + " /proc/" + first.getPid() + "/fd: " + first.getFdPipes() + " pipes (+" + growth + " since)");
        }
        addLogHints(h, t, evidence);
        String summary = h.instance() + " leaks pipe fds: " + p.getFdPipes() + " pipes open against " + p.getFdSockets() + " sockets"
                + (rising ? " (+" + growth + " since " + h.clock(first.getTsMs()) + ")" : "");
        return Optional.of(h.finding(id(), Severity.CRITICAL, summary, evidence, advice(h), p.getTsMs()));
    }

    private Optional<Finding> fromLog(InstanceHistory h, Thresholds t) {
        List<LogLine> aofForks = h.logs(LogKind.FORK_FAILED).stream().filter(l -> !SaveHealth.isRdbFork(l)).toList();
        boolean fixed = h.version().map(v -> v.atLeast(3, 2, 9)).orElse(false);
        boolean tableFull = h.hasLog(LogKind.AOF_PIPE_ERROR) || h.hasLog(LogKind.FD_REGISTRATION_ERROR);
        if (aofForks.isEmpty() || fixed || !tableFull) return Optional.empty();
        List<String> evidence = new ArrayList<>();
        evidence.addAll(h.evidence(aofForks, Math.max(2, t.evidenceLines() / 2)));
        addLogHints(h, t, evidence);
        evidence.add("no process facts: the pipe count is inferred; `ls -l /proc/<pid>/fd | grep -c pipe` confirms it");
        evidence.add("Redis version " + h.version().map(Object::toString).orElse("unknown") + " (the leak is fixed in 3.2.9)");
        String summary = h.instance() + " very likely leaks pipe fds: " + aofForks.size()
                + " failed AOF-rewrite forks, then its descriptor table overflowed";
        return Optional.of(h.finding(id(), Severity.WARNING, summary, evidence, advice(h), aofForks.get(aofForks.size() - 1).tsMs()));
    }

    private static void addLogHints(InstanceHistory h, Thresholds t, List<String> evidence) {
        List<LogLine> pipes = h.logs(LogKind.AOF_PIPE_ERROR);
        if (!pipes.isEmpty()) evidence.addAll(h.evidence(pipes, 2));
        List<LogLine> reg = h.logs(LogKind.FD_REGISTRATION_ERROR);
        if (!reg.isEmpty()) evidence.add(h.evidence(reg.get(reg.size() - 1)));
    }

    private static String advice(InstanceHistory h) {
        boolean fixed = h.version().map(v -> v.atLeast(3, 2, 9)).orElse(false);
        if (fixed) {
            return "This Redis (" + h.version().get() + ") has the AOF pipe-leak fix, so find the holder: `ls -l /proc/<pid>/fd | grep pipe`, "
                    + "modules and scripts; restart redis-server (after a failover) to release the fds.";
        }
        return "Fix the failing fork first (see fork_enomem: `sysctl vm.overcommit_memory=1`); upgrade Redis to 3.2.9 or later, "
                + "which closes the rewrite pipes when fork fails (redis issues #2857, #2883); restart redis-server (after a failover) "
                + "to release the leaked fds.";
    }
}
