package io.redwatch.collector.alerting;

import io.redwatch.collector.rules.Finding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Runs the {@link AlertStateMachine} against the {@code alerts} table, one instance at a time:
 * reads its firing alerts, applies the transitions of its current findings, and writes the
 * notifications they cause in the same transaction (the outbox), so a crash loses no page.
 *
 * <p>The state is the table, not memory: any collector may evaluate any instance, and evaluations
 * of one instance are serialised by an advisory lock.
 */
public final class AlertTracker {
    private final DataSource db;
    private final AlertStateMachine machine;
    private final AlertStore alerts = new AlertStore();
    private final Routing routing;
    private final long groupWaitMs;

    /** What one evaluation changed. */
    public record Evaluation(int fired, int resolved, int repeated, int notificationsQueued) {}

    /**
     * @param recipients channel name → who it pages; a routed channel missing here queues nothing
     */
    public AlertTracker(DataSource db, AlertingConfig config, Map<String, List<String>> recipients) {
        this.db = db;
        this.machine = AlertStateMachine.of(config);
        this.routing = new Routing(config.routes(), recipients);
        this.groupWaitMs = config.groupWait().toMillis();
    }

    public Evaluation evaluate(String instance, String host, List<Finding> findings, long nowMs) {
        return Transaction.run(
                db,
                c -> {
                    alerts.lockInstance(c, instance);
                    Transitions t = machine.transitions(alerts.firing(c, instance), findings, nowMs);
                    alerts.updateSeen(c, host, t.seen(), nowMs);
                    List<Page> opened = alerts.open(c, instance, host, t.fired(), nowMs);
                    alerts.updateMissed(c, t.missed(), nowMs);
                    List<Page> pages = new ArrayList<>(t.seenPages());
                    pages.addAll(opened);
                    pages.addAll(t.resolvedPages());
                    // Due after group_wait (0 by default: the first page leaves at once); the dispatcher holds
                    // what follows a message to the same host for group_interval, so that goes out as one message.
                    int queued =
                            NotificationOutbox.enqueue(c, host, routing.address(pages), nowMs, nowMs + groupWaitMs);
                    return new Evaluation(opened.size(), t.resolvedCount(), t.repeatedCount(), queued);
                },
                e -> new AlertingException(
                        "cannot record alerts of " + instance + ": " + e.getMessage()
                                + "; the next evaluation will try again",
                        e));
    }
}
