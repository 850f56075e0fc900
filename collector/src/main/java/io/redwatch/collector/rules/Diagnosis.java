package io.redwatch.collector.rules;

import io.redwatch.collector.rules.view.InstanceView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Runs every rule of docs/incidents.md over one instance's history: at most one finding per rule, most severe first. */
public final class Diagnosis {
    private static final Logger LOG = Logger.getLogger(Diagnosis.class.getName());

    /** In the order of docs/incidents.md; findings of equal severity keep it. */
    static final List<Rule> RULES = List.of(
            new ForkEnomem(),
            new BgsaveFailing(),
            new MisconfWritesRefused(),
            new OvercommitDisabled(),
            new ForkRisk(),
            new FullResyncLoop(),
            new OutputBufferLimitKill(),
            new BacklogTooSmall(),
            new ReplicaLoading(),
            new ReplLinkDown(),
            new DisklessSyncStuck(),
            new FdLeakPipes(),
            new MaxclientsExhausted(),
            new AofRewriteFailing(),
            new MaxmemoryNear(),
            new MaxmemoryOom(),
            new PersistenceStale(),
            new BgsaveSlow(),
            new AofFsyncSlow(),
            new ThpEnabled(),
            new SomaxconnLow(),
            new PingFailed(),
            new InstanceDown());

    private final Thresholds thresholds;

    public Diagnosis(Thresholds thresholds) {
        this.thresholds = thresholds;
    }

    /** The rule ids this diagnosis evaluates (agent_silent is judged elsewhere, see {@link AgentSilence}). */
    public static List<String> ruleIds() {
        return RULES.stream().map(Rule::id).toList();
    }

    public List<Finding> run(InstanceView h) {
        Map<String, Finding> byRule = new LinkedHashMap<>();
        for (Rule rule : RULES) {
            try {
                Optional<Finding> f = rule.evaluate(h, thresholds);
                f.ifPresent(x -> byRule.putIfAbsent(x.rule(), x));
            } catch (RuntimeException e) {
                // One broken rule must not hide what the others found.
                LOG.log(Level.WARNING, "rule " + rule.id() + " failed on " + h.instance() + ": " + e, e);
            }
        }
        List<Finding> out = new ArrayList<>(byRule.values());
        out.sort(Comparator.comparing(Finding::severity));
        return out;
    }
}
