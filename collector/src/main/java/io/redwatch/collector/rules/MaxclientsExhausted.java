package io.redwatch.collector.rules;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.rules.evidence.FdCeiling;
import io.redwatch.collector.rules.view.InfoView;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.collector.rules.view.Setting;
import io.redwatch.proto.v1.ProcessFacts;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * maxclients_exhausted: the process's fds reach {@code fdCeilingRatio} of the real ceiling, the
 * smaller of maxclients + 128 (the event loop's size) and RLIMIT_NOFILE; or the log says a new
 * client's fd could not be registered; or rejected_connections rose.
 */
final class MaxclientsExhausted implements Rule {
    @Override
    public String id() {
        return "maxclients_exhausted";
    }

    @Override
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        List<String> evidence = new ArrayList<>();
        FdCeiling c = FdCeiling.of(h);
        Setting maxclients = c.maxclients();
        Optional<ProcessFacts> p = h.latestProcess();
        long ceiling = c.fds();
        String ceilingHow = c.how();
        // Live, a ceiling made of an assumed maxclients is no measurement: wait for CONFIG.
        boolean ceilingKnown = !(h.currentOnly() && maxclients.assumed() && ceilingHow.startsWith("maxclients"));
        boolean fdsHigh = ceilingKnown && p.isPresent() && p.get().getFdTotal() >= t.fdCeilingRatio() * ceiling;
        // Only ERANGE says the descriptor was past the event loop; ENOENT and the like are bugs of their own.
        List<LogLine> reg = new java.util.ArrayList<>(h.logs(LogKind.FD_REGISTRATION_ERROR).stream()
                .filter(FdCeiling::pastEventLoop)
                .toList());
        // An AOF rewrite pipe numbered past the event loop means every descriptor below it was taken: a new client
        // fails too.
        reg.addAll(h.logs(LogKind.AOF_PIPE_ERROR).stream()
                .filter(l -> l.text().contains("out of range"))
                .toList());
        reg.sort(java.util.Comparator.comparingLong(LogLine::tsMs));
        List<LogLine> reached = h.logs(LogKind.MAXCLIENTS_REACHED).stream()
                .filter(l -> l.text().contains("max number of clients"))
                .toList();
        OptionalLong rejected = rejectedGrowth(h);
        boolean rejecting = rejected.isPresent() && rejected.getAsLong() > 0;
        if (!fdsHigh && reg.isEmpty() && reached.isEmpty() && !rejecting) return Optional.empty();

        String summary;
        if (p.isPresent()) {
            ProcessFacts f = p.get();
            evidence.add(h.time(f.getTsMs()) + " /proc/" + f.getPid() + "/fd: " + f.getFdTotal() + " fds ("
                    + f.getFdSockets() + " sockets, " + f.getFdPipes() + " pipes, " + f.getFdFiles()
                    + " files); RLIMIT_NOFILE soft " + f.getNofileSoft());
            summary = String.format(
                    Locale.ROOT,
                    "%s cannot accept new clients: %d fds open of a ceiling of %d (%s; %d sockets, %d pipes)",
                    h.instance(),
                    f.getFdTotal(),
                    ceiling,
                    ceilingHow,
                    f.getFdSockets(),
                    f.getFdPipes());
        } else if (!reg.isEmpty()) {
            summary = h.instance() + " cannot accept new clients: its descriptors are past the event loop's size ("
                    + reg.size() + (reg.size() == 1 ? " error" : " errors")
                    + (reg.get(0).timed() ? " since " + h.clock(reg.get(0).tsMs()) : "") + ")";
        } else {
            summary = h.instance() + " turns clients away: max number of clients reached";
        }
        evidence.add(maxclients.evidence());
        evidence.addAll(h.evidence(reg, Math.max(2, t.evidenceLines() / 2)));
        evidence.addAll(h.evidence(reached, 2));
        if (rejecting) evidence.add("INFO rejected_connections rose by " + rejected.getAsLong() + " in the window");
        // The same verdict as fd_leak_pipes, so the two findings never disagree on what fills the table.
        boolean pipes = new FdLeakPipes().evaluate(h, t).isPresent();
        String advice = pipes
                ? "The fds are leaked pipes, not clients: see fd_leak_pipes (fix the fork failure, upgrade Redis ≥ 3.2.9); restart "
                        + "redis-server (after a failover) to release them."
                : "Find who holds the connections: `redis-cli CLIENT LIST` (addr, age, idle); close idle ones with "
                        + "`redis-cli CONFIG SET timeout 300`; if the load is real, raise maxclients and LimitNOFILE (systemd) together.";
        long ts = p.map(ProcessFacts::getTsMs)
                .orElse(reg.isEmpty() ? h.nowMs() : reg.get(reg.size() - 1).tsMs());
        return Optional.of(Finding.of(h, id(), Severity.CRITICAL, summary, evidence, advice, ts));
    }

    private static OptionalLong rejectedGrowth(InstanceView h) {
        InfoView first = null;
        InfoView last = null;
        for (InfoView i : h.infos()) {
            if (i.pasted() || i.number("rejected_connections").isEmpty()) continue;
            if (first == null) first = i;
            last = i;
        }
        if (first == null || first == last) return OptionalLong.empty();
        return OptionalLong.of(last.number("rejected_connections").getAsLong()
                - first.number("rejected_connections").getAsLong());
    }
}
