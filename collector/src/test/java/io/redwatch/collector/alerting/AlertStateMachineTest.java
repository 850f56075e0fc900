package io.redwatch.collector.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.collector.rules.Finding;
import io.redwatch.collector.rules.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The alert state machine on its own: open alerts and findings in, transitions out; no database, no clock. */
class AlertStateMachineTest {
    private static final long S = 1000;
    private static final long T0 = 1_700_000_000_000L;
    private static final String DB1 = "db1:6379";
    /** repeat_interval 1 h; recovery after 2 evaluations in a row and 60 s without the rule. */
    private final AlertStateMachine machine = new AlertStateMachine(3_600 * S, 2, 60 * S);

    @Test
    void aNewFindingFiresOneAlertPerRuleKeepingTheMostSevere() {
        Transitions t = machine.transitions(
                List.of(),
                List.of(
                        finding("fork_enomem", Severity.WARNING), finding("fork_enomem", Severity.CRITICAL),
                        finding("fork_enomem", Severity.INFO), finding("maxmemory_reached", Severity.WARNING)),
                T0);

        assertEquals(2, t.fired().size());
        assertEquals("fork_enomem", t.fired().get(0).rule());
        assertEquals(Severity.CRITICAL, t.fired().get(0).severity());
        assertEquals("maxmemory_reached", t.fired().get(1).rule());
        assertTrue(t.seen().isEmpty());
        assertTrue(t.missed().isEmpty());
        assertEquals(List.of(), t.seenPages(), "the store pages what it opens: it alone knows the new ids");
    }

    @Test
    void anAlertStillFoundStaysOpenWithoutPagingAgain() {
        OpenAlert open = new OpenAlert(7, "fork_enomem", Severity.CRITICAL, T0, 0, T0);
        Transitions t =
                machine.transitions(List.of(open), List.of(finding("fork_enomem", Severity.CRITICAL)), T0 + 10 * S);

        assertTrue(t.fired().isEmpty());
        assertEquals(1, t.seen().size());
        assertEquals(7, t.seen().get(0).alert().id());
        assertNull(t.seen().get(0).page());
        assertEquals(0, t.repeatedCount());
    }

    @Test
    void anAlertRecoversOnlyAfterEnoughEvaluationsAndTheRecoveryPeriod() {
        OpenAlert open = new OpenAlert(7, "fork_enomem", Severity.CRITICAL, T0, 0, T0);

        Transitions first = machine.transitions(List.of(open), List.of(), T0 + 10 * S);
        assertEquals(1, first.missed().get(0).missedEvaluations());
        assertFalse(first.missed().get(0).resolved(), "one evaluation without it is not recovery");

        open = stored(open, first, T0 + 10 * S);
        Transitions second = machine.transitions(List.of(open), List.of(), T0 + 40 * S);
        assertEquals(2, second.missed().get(0).missedEvaluations());
        assertFalse(second.missed().get(0).resolved(), "two evaluations, but only 40 s of the 60 s recovery period");
        assertEquals(List.of(), second.resolvedPages());

        open = stored(open, second, T0 + 40 * S);
        Transitions recovered = machine.transitions(List.of(open), List.of(), T0 + 60 * S);
        assertTrue(recovered.missed().get(0).resolved());
        assertEquals(1, recovered.resolvedCount());
        assertEquals(List.of(new Page(7, NotificationKind.RESOLVED, Severity.CRITICAL)), recovered.resolvedPages());
    }

    @Test
    void aRuleThatFlapsWithinTheRecoveryPeriodStaysOneAlertAndPagesNothingNew() {
        OpenAlert open = new OpenAlert(7, "fork_enomem", Severity.CRITICAL, T0, 0, T0);
        List<Finding> on = List.of(finding("fork_enomem", Severity.CRITICAL));
        for (long t = T0 + 10 * S; t < T0 + 600 * S; t += 10 * S) {
            // On for one evaluation, off for three: never 60 s off in a row.
            Transitions step = machine.transitions(List.of(open), (t / (10 * S)) % 4 == 0 ? on : List.of(), t);
            assertTrue(step.fired().isEmpty(), "at +" + (t - T0) / S + " s");
            assertEquals(0, step.resolvedCount(), "at +" + (t - T0) / S + " s");
            assertEquals(List.of(), step.seenPages(), "at +" + (t - T0) / S + " s");
            open = stored(open, step, t);
        }
        assertEquals(T0 + 560 * S, open.lastSeenMs(), "the rule was seen all along, so the run tested flapping");
    }

    @Test
    void aCriticalAlertRepeatsAfterTheRepeatIntervalSinceItWasLastTold() {
        OpenAlert open = new OpenAlert(7, "fork_enomem", Severity.CRITICAL, T0, 0, T0);
        List<Finding> still = List.of(finding("fork_enomem", Severity.CRITICAL));

        assertEquals(
                0, machine.transitions(List.of(open), still, T0 + 3_600 * S - 1).repeatedCount());
        Transitions due = machine.transitions(List.of(open), still, T0 + 3_600 * S);
        assertEquals(1, due.repeatedCount());
        assertEquals(List.of(new Page(7, NotificationKind.REPEAT, Severity.CRITICAL)), due.seenPages());
    }

    @Test
    void onlyCriticalAlertsThatWereToldRepeat() {
        OpenAlert warning = new OpenAlert(7, "maxmemory_reached", Severity.WARNING, T0, 0, T0);
        OpenAlert untold = new OpenAlert(8, "fork_enomem", Severity.CRITICAL, T0, 0, OpenAlert.NEVER);
        Transitions t = machine.transitions(
                List.of(warning, untold),
                List.of(finding("maxmemory_reached", Severity.WARNING), finding("fork_enomem", Severity.CRITICAL)),
                T0 + 10 * 3_600 * S);

        assertEquals(0, t.repeatedCount());
        assertEquals(List.of(), t.seenPages());
    }

    @Test
    void aFindingThatEscalatesPagesTheNewSeverityAtOnceAndOneThatCalmsDownDoesNot() {
        OpenAlert warning = new OpenAlert(7, "maxmemory_reached", Severity.WARNING, T0, 0, T0);
        Transitions up = machine.transitions(
                List.of(warning), List.of(finding("maxmemory_reached", Severity.CRITICAL)), T0 + 10 * S);
        assertEquals(List.of(new Page(7, NotificationKind.FIRING, Severity.CRITICAL)), up.seenPages());
        assertEquals(Severity.CRITICAL, up.seen().get(0).finding().severity(), "the alert takes the new severity");
        assertEquals(0, up.repeatedCount(), "an escalation is a firing page, not a repeat");

        OpenAlert critical = new OpenAlert(7, "maxmemory_reached", Severity.CRITICAL, T0, 0, T0);
        Transitions down = machine.transitions(
                List.of(critical), List.of(finding("maxmemory_reached", Severity.WARNING)), T0 + 20 * S);
        assertNull(down.seen().get(0).page());
        assertEquals(Severity.WARNING, down.seen().get(0).finding().severity());
    }

    @Test
    void theAlertsOfAnInstanceThatVanishesRecoverAndOnlyThoseThatWereToldPageResolved() {
        OpenAlert told = new OpenAlert(7, "fork_enomem", Severity.CRITICAL, T0, 1, T0);
        OpenAlert untold = new OpenAlert(8, "slowlog_growth", Severity.INFO, T0, 1, OpenAlert.NEVER);

        Transitions t = machine.transitions(List.of(told, untold), List.of(), T0 + 90 * S);

        assertTrue(t.fired().isEmpty());
        assertTrue(t.seen().isEmpty());
        assertEquals(2, t.resolvedCount());
        assertEquals(List.of(new Page(7, NotificationKind.RESOLVED, Severity.CRITICAL)), t.resolvedPages());
    }

    @Test
    void noFindingsAndNoAlertsChangeNothing() {
        Transitions t = machine.transitions(List.of(), List.of(), T0);
        assertEquals(new Transitions(List.of(), List.of(), List.of()), t);
    }

    /** The alert as the store leaves it after {@code t} (one open alert in, one out). */
    private static OpenAlert stored(OpenAlert o, Transitions t, long nowMs) {
        if (!t.seen().isEmpty()) {
            Transitions.Seen s = t.seen().get(0);
            return new OpenAlert(
                    o.id(), o.rule(), s.finding().severity(), nowMs, 0, s.page() != null ? nowMs : o.lastNotifiedMs());
        }
        Transitions.Missed m = t.missed().get(0);
        assertFalse(m.resolved(), "resolved at " + nowMs);
        return new OpenAlert(o.id(), o.rule(), o.severity(), o.lastSeenMs(), m.missedEvaluations(), o.lastNotifiedMs());
    }

    private static Finding finding(String rule, Severity severity) {
        return new Finding(rule, severity, DB1, "db1", rule + " on " + DB1, List.of("evidence"), "advice", T0);
    }
}
