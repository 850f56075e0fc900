package io.redwatch.collector.rules;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.rules.view.ByteSize;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.collector.rules.view.Setting;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** somaxconn_low: net.core.somaxconn is below tcp-backlog, so the kernel truncates Redis's listen backlog. */
final class SomaxconnLow implements Rule {
    @Override
    public String id() {
        return "somaxconn_low";
    }

    @Override
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        if (h.liveWithoutConfig()) return Optional.empty();
        Setting backlog = h.setting("tcp-backlog");
        long wanted = ByteSize.parse(backlog.value());
        List<String> evidence = new ArrayList<>();
        long ts = h.nowMs();
        long somaxconn = -1;
        if (h.hostFacts().isPresent() && h.hostFacts().get().getSomaxconn() >= 0) {
            var f = h.hostFacts().get();
            somaxconn = f.getSomaxconn();
            if (somaxconn >= wanted) return Optional.empty();
            evidence.add(h.time(f.getTsMs()) + " host " + f.getHost() + ": net.core.somaxconn = " + somaxconn);
            evidence.add(backlog.evidence());
            ts = f.getTsMs();
        }
        List<LogLine> warnings = h.logs(LogKind.STARTUP_WARNING_SOMAXCONN);
        if (somaxconn < 0 && warnings.isEmpty()) return Optional.empty();
        if (!warnings.isEmpty()) {
            evidence.add(h.evidence(warnings.get(warnings.size() - 1)));
            if (somaxconn < 0) ts = warnings.get(warnings.size() - 1).tsMs();
        }
        String summary = h.instance() + ": net.core.somaxconn" + (somaxconn >= 0 ? " (" + somaxconn + ")" : "")
                + " is below tcp-backlog (" + wanted + "); bursts of new connections may be dropped";
        String advice = "Run `sysctl net.core.somaxconn=" + Math.max(wanted, 1024) + "` and add `net.core.somaxconn = "
                + Math.max(wanted, 1024)
                + "` to /etc/sysctl.conf; restart redis-server to listen with the full backlog.";
        return Optional.of(Finding.of(h, id(), Severity.INFO, summary, evidence, advice, ts));
    }
}
