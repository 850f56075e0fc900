package io.redwatch.collector.rules;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.rules.evidence.ForkBudget;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.collector.rules.view.Setting;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * overcommit_disabled: vm.overcommit_memory is not 1 on a host where this Redis persists (RDB save
 * points or AOF). A warning, never the cause of anything by itself: fork_enomem names a failure.
 */
final class OvercommitDisabled implements Rule {
    @Override
    public String id() {
        return "overcommit_disabled";
    }

    @Override
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        ForkBudget b = ForkBudget.of(h);
        if (!b.overcommitKnown() || b.overcommit == 1) return Optional.empty();
        if (h.liveWithoutConfig() || !h.persistenceOn()) return Optional.empty();
        List<String> evidence = new ArrayList<>();
        h.hostFacts()
                .filter(f -> f.getOvercommitMemory() >= 0)
                .ifPresent(f -> evidence.add(h.time(f.getTsMs()) + " host " + f.getHost() + ": vm.overcommit_memory = "
                        + f.getOvercommitMemory()));
        List<LogLine> warnings = h.logs(LogKind.STARTUP_WARNING_OVERCOMMIT);
        if (!warnings.isEmpty()) evidence.add(h.evidence(warnings.get(warnings.size() - 1)));
        Setting save = h.setting("save");
        Setting aof = h.setting("appendonly");
        evidence.add(save.evidence());
        evidence.add(aof.evidence());
        String summary = h.instance() + ": vm.overcommit_memory is " + b.overcommit + " on " + h.host()
                + "; background saves may fail with fork: Cannot allocate memory";
        long ts = h.hostFacts()
                .map(f -> f.getTsMs())
                .orElse(
                        warnings.isEmpty()
                                ? h.nowMs()
                                : warnings.get(warnings.size() - 1).tsMs());
        return Optional.of(Finding.of(h, id(), Severity.WARNING, summary, evidence, Advice.OVERCOMMIT, ts));
    }
}
