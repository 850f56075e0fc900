package io.redwatch.collector.rules;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.rules.view.InstanceView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** thp_enabled: Transparent Huge Pages set to [always] on the host (or Redis's start-up warning says so). */
final class ThpEnabled implements Rule {
    @Override
    public String id() {
        return "thp_enabled";
    }

    @Override
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        // Live, a host setting matters once a Redis has answered there (its CONFIG): a dead port is instance_down
        // alone.
        if (h.liveWithoutConfig()) return Optional.empty();
        List<String> evidence = new ArrayList<>();
        long ts = h.nowMs();
        boolean known = false;
        if (h.hostFacts().isPresent() && !h.hostFacts().get().getThpEnabled().isEmpty()) {
            var f = h.hostFacts().get();
            if (!"always".equals(f.getThpEnabled())) return Optional.empty();
            evidence.add(h.time(f.getTsMs()) + " host " + f.getHost() + ": transparent_hugepage/enabled = [always]");
            ts = f.getTsMs();
            known = true;
        }
        List<LogLine> warnings = h.logs(LogKind.STARTUP_WARNING_THP);
        if (!known && warnings.isEmpty()) return Optional.empty();
        if (!warnings.isEmpty()) {
            evidence.add(h.evidence(warnings.get(warnings.size() - 1)));
            if (!known) ts = warnings.get(warnings.size() - 1).tsMs();
        }
        String summary = h.instance() + ": Transparent Huge Pages are on (always) on " + h.host()
                + "; forks get slow and memory grows";
        String advice =
                "Run `echo never > /sys/kernel/mm/transparent_hugepage/enabled` now and make it permanent (kernel argument "
                        + "`transparent_hugepage=never`, or a systemd unit run before redis), then restart redis-server.";
        return Optional.of(Finding.of(h, id(), Severity.WARNING, summary, evidence, advice, ts));
    }
}
