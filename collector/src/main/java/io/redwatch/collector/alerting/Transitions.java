package io.redwatch.collector.alerting;

import io.redwatch.collector.rules.Finding;
import java.util.ArrayList;
import java.util.List;

/**
 * What one evaluation of an instance changes, as data: the alerts to open, the open alerts found
 * again, and the open alerts not found this time.
 *
 * @param fired findings of rules with no open alert; each opens one (and pages as firing)
 * @param seen  open alerts whose rule still finds something
 * @param missed open alerts whose rule found nothing this time
 */
public record Transitions(List<Finding> fired, List<Seen> seen, List<Missed> missed) {
    public Transitions {
        fired = List.copyOf(fired);
        seen = List.copyOf(seen);
        missed = List.copyOf(missed);
    }

    /**
     * An open alert whose rule still finds something.
     *
     * @param page null when nobody is told; FIRING when the severity rose, REPEAT when a critical
     *             alert has been firing for repeat_interval since it was last told
     */
    public record Seen(OpenAlert alert, Finding finding, NotificationKind page) {}

    /**
     * An open alert whose rule found nothing this time.
     *
     * @param missedEvaluations the new count of evaluations in a row without the rule
     * @param resolved          the recovery period is over: the alert ends now
     */
    public record Missed(OpenAlert alert, int missedEvaluations, boolean resolved) {
        /** A resolved alert is told only to whoever was told it fired. */
        public boolean pagesResolved() {
            return resolved && alert.notified();
        }
    }

    /** Pages of open alerts found again: escalations and repeats. */
    public List<Page> seenPages() {
        List<Page> out = new ArrayList<>();
        for (Seen s : seen) {
            if (s.page() != null)
                out.add(new Page(s.alert().id(), s.page(), s.finding().severity()));
        }
        return out;
    }

    /** Pages of alerts that resolved. */
    public List<Page> resolvedPages() {
        List<Page> out = new ArrayList<>();
        for (Missed m : missed) {
            if (m.pagesResolved())
                out.add(new Page(
                        m.alert().id(), NotificationKind.RESOLVED, m.alert().severity()));
        }
        return out;
    }

    public int resolvedCount() {
        return (int) missed.stream().filter(Missed::resolved).count();
    }

    public int repeatedCount() {
        return (int)
                seen.stream().filter(s -> s.page() == NotificationKind.REPEAT).count();
    }
}
