package io.redwatch.collector.metrics;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/** How the live diagnosis keeps up: the duration of each evaluation round, instances watched and waiting for their history. */
public final class DiagnosisMetrics {
    private final Histogram rounds = new Histogram(
            "redwatch_diagnosis_round_seconds",
            "one evaluation round (every instance with new data whose last evaluation is old enough)",
            Histogram.SECONDS);
    private final LongAdder evaluations = new LongAdder();
    private final IntSupplier watched;
    private final IntSupplier waitingForRefill;

    public DiagnosisMetrics(IntSupplier watched, IntSupplier waitingForRefill) {
        this.watched = watched;
        this.waitingForRefill = waitingForRefill;
    }

    /** One round that took {@code nanos} and evaluated {@code instances}. */
    public void round(long nanos, int instances) {
        rounds.observeNanos(nanos);
        evaluations.add(instances);
    }

    public void writeTo(Exposition e) {
        e.single(
                "redwatch_diagnosis_instances_watched",
                "gauge",
                "instances with a live window in this collector",
                watched.getAsInt());
        e.single(
                "redwatch_diagnosis_windows_waiting_for_refill",
                "gauge",
                "live windows not yet filled from the database (their instances are not diagnosed until then)",
                waitingForRefill.getAsInt());
        e.single(
                "redwatch_diagnosis_evaluations_total",
                "counter",
                "instance evaluations by the rules",
                evaluations.sum());
        rounds.writeTo(e);
    }
}
