package io.redwatch.collector.ingest;

import io.redwatch.collector.metrics.AgentReports;
import io.redwatch.collector.metrics.Exposition;
import io.redwatch.collector.metrics.Histogram;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** Counters of the ingest path, printed on /metrics; counted, never logged one by one. */
public final class IngestMetrics {
    public final AtomicLong streamsOpen = new AtomicLong();
    public final AtomicLong batchesStored = new AtomicLong();
    public final AtomicLong batchesDuplicate = new AtomicLong();
    public final AtomicLong recordsStored = new AtomicLong();
    public final AtomicLong storeFailures = new AtomicLong();
    public final AtomicLong protocolErrors = new AtomicLong();
    public final AtomicLong storeNanos = new AtomicLong();
    public final AtomicLong helloRejected = new AtomicLong();
    public final AtomicLong streamsTooLarge = new AtomicLong();
    public final Histogram storeSeconds = new Histogram("redwatch_ingest_store_seconds",
            "time to store one batch in PostgreSQL, commit and wait for a connection included", Histogram.SECONDS);
    /** The agents' self-reports, sent with their batches. */
    public final AgentReports agents = new AgentReports();
    /** The rest of the collector's metrics (diagnosis, outbox), added by whoever wires them. */
    private final List<Consumer<Exposition>> sections = new CopyOnWriteArrayList<>();

    public void add(Consumer<Exposition> section) {
        sections.add(section);
    }

    public String prometheus() {
        return counter("redwatch_ingest_streams_open", "gauge", "agent streams currently open", streamsOpen.get())
                + counter("redwatch_ingest_batches_stored_total", "counter", "batches committed to PostgreSQL", batchesStored.get())
                + counter("redwatch_ingest_batches_duplicate_total", "counter", "resent batches acknowledged without storing again", batchesDuplicate.get())
                + counter("redwatch_ingest_records_stored_total", "counter", "records in stored batches", recordsStored.get())
                + counter("redwatch_ingest_store_failures_total", "counter", "batches not stored because the database failed", storeFailures.get())
                + counter("redwatch_ingest_protocol_errors_total", "counter", "streams closed for breaking the protocol", protocolErrors.get())
                + counter("redwatch_ingest_hello_rejected_total", "counter", "agent streams refused for a missing, wrong, revoked or expired token", helloRejected.get())
                + counter("redwatch_ingest_messages_too_large_total", "counter", "agent streams closed for a message over the size limit", streamsTooLarge.get())
                + counter("redwatch_ingest_store_seconds_total", "counter", "time spent storing batches", storeNanos.get() / 1e9)
                + more();
    }

    private String more() {
        Exposition e = new Exposition();
        storeSeconds.writeTo(e);
        agents.writeTo(e, System.currentTimeMillis());
        for (Consumer<Exposition> s : sections) s.accept(e);
        return e.toString();
    }

    private static String counter(String name, String type, String help, double value) {
        String v = value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
        return "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " + v + "\n";
    }
}
