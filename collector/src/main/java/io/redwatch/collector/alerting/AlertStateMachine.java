package io.redwatch.collector.alerting;

import io.redwatch.collector.rules.Finding;
import io.redwatch.collector.rules.Severity;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The life of the alerts of one instance, without storage or clock: given the alerts open now and
 * the complete list of the instance's current findings, it says which alerts open, which stay
 * open (and whether they page again), and which recover. An alert recovers only once its rule has
 * been silent for {@code recoveryEvaluations} evaluations in a row and for the recovery period,
 * so a rule that flips on and off stays one alert (no flapping pages).
 */
public final class AlertStateMachine {
    private final long repeatIntervalMs;
    private final int recoveryEvaluations;
    private final long recoveryPeriodMs;

    public AlertStateMachine(long repeatIntervalMs, int recoveryEvaluations, long recoveryPeriodMs) {
        this.repeatIntervalMs = repeatIntervalMs;
        this.recoveryEvaluations = recoveryEvaluations;
        this.recoveryPeriodMs = recoveryPeriodMs;
    }

    public static AlertStateMachine of(AlertingConfig config) {
        return new AlertStateMachine(
                config.repeatInterval().toMillis(),
                config.recoveryEvaluations(),
                config.recoveryPeriod().toMillis());
    }

    /**
     * Decides one evaluation of one instance.
     *
     * @param open     the instance's firing alerts, at most one per rule
     * @param findings everything the rules find on the instance now (empty when all is well, or
     *                 when the instance vanished: its alerts then recover like any other)
     * @param nowMs    the moment of this evaluation
     */
    public Transitions transitions(Collection<OpenAlert> open, List<Finding> findings, long nowMs) {
        Map<String, Finding> current = new LinkedHashMap<>();
        for (Finding f : findings) {
            // One alert per rule and instance: keep the most severe finding of a rule.
            current.merge(f.rule(), f, (a, b) -> b.severity().compareTo(a.severity()) < 0 ? b : a);
        }
        Map<String, OpenAlert> byRule = new HashMap<>();
        for (OpenAlert o : open) byRule.put(o.rule(), o);

        List<Finding> fired = new ArrayList<>();
        List<Transitions.Seen> seen = new ArrayList<>();
        for (Finding f : current.values()) {
            OpenAlert o = byRule.get(f.rule());
            if (o == null) {
                fired.add(f);
            } else {
                seen.add(new Transitions.Seen(o, f, pageAgain(o, f.severity(), nowMs)));
            }
        }
        List<Transitions.Missed> missed = new ArrayList<>();
        for (OpenAlert o : open) {
            if (current.containsKey(o.rule())) continue;
            int count = o.missed() + 1;
            boolean resolve = count >= recoveryEvaluations && nowMs - o.lastSeenMs() >= recoveryPeriodMs;
            missed.add(new Transitions.Missed(o, count, resolve));
        }
        return new Transitions(fired, seen, missed);
    }

    private NotificationKind pageAgain(OpenAlert o, Severity now, long nowMs) {
        // Escalated (say warning → critical): page the channels of the new severity now.
        if (now.compareTo(o.severity()) < 0) return NotificationKind.FIRING;
        if (now == Severity.CRITICAL && o.notified() && nowMs - o.lastNotifiedMs() >= repeatIntervalMs) {
            return NotificationKind.REPEAT;
        }
        return null;
    }
}
