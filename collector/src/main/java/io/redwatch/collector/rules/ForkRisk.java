package io.redwatch.collector.rules;

import io.redwatch.collector.rules.evidence.ForkBudget;
import io.redwatch.collector.rules.view.ByteSize;
import io.redwatch.collector.rules.view.InstanceView;
import java.util.Locale;
import java.util.Optional;

/**
 * fork_risk: predictive. Overcommit is 0 or 2 and the Redis process is (nearly) larger than what the
 * kernel will promise a fork, so the next BGSAVE or rewrite will fail, before any failure is logged.
 */
final class ForkRisk implements Rule {
    @Override
    public String id() {
        return "fork_risk";
    }

    @Override
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        ForkBudget b = ForkBudget.of(h);
        if (!b.atRisk(t.forkRiskRatio())) return Optional.empty();
        long mem = b.processBytes.getAsLong();
        long promise = b.promiseBytes.getAsLong();
        boolean fails = b.wouldFail();
        String summary =
                h.instance() + (fails ? ": the next fork will fail: " : ": the next fork may fail: ") + "redis uses "
                        + ByteSize.human(mem) + ", the kernel will promise " + ByteSize.human(promise)
                        + " (overcommit_memory=" + b.overcommit + ")";
        String advice = String.format(
                Locale.ROOT,
                "%s The fork asks for %s; with overcommit_memory=%d the kernel grants at most %s (%s). "
                        + "Copy-on-write needs far less in practice, which is what mode 1 allows.",
                Advice.OVERCOMMIT,
                ByteSize.human(mem),
                b.overcommit,
                ByteSize.human(promise),
                b.promiseHow);
        long ts = h.hostFacts().map(f -> f.getTsMs()).orElse(h.nowMs());
        return Optional.of(
                Finding.of(h, id(), fails ? Severity.CRITICAL : Severity.WARNING, summary, b.evidence(h), advice, ts));
    }
}
