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
    public final AtomicLong connectionsRefused = new AtomicLong();
    public final AtomicLong streamsDuplicate = new AtomicLong();
    public final AtomicLong streamsRevoked = new AtomicLong();
    public final AtomicLong batchesSeqRefused = new AtomicLong();
    public final AtomicLong batchesDeadLettered = new AtomicLong();
    public final AtomicLong recordsRefused = new AtomicLong();
    public final AtomicLong recordsRestamped = new AtomicLong();
    public final AtomicLong recordsTooOld = new AtomicLong();
    /** When the last batch went to dead_letters (0: never since start); /health reports it for a day. */
    public final AtomicLong lastDeadLetterMs = new AtomicLong();

    /** What /health should say is wrong with ingest (no names, no credentials), or null. */
    public String problem(long nowMs) {
        long last = lastDeadLetterMs.get();
        if (last == 0 || nowMs - last > 86_400_000L) return null;
        return batchesDeadLettered.get() + " batches refused by the database since start were kept in dead_letters"
                + " (the last " + (nowMs - last) / 60_000 + " min ago); see redwatch_dead_letters";
    }

    public final Histogram storeSeconds = new Histogram(
            "redwatch_ingest_store_seconds",
            "time to store one batch in PostgreSQL, commit and wait for a connection included",
            Histogram.SECONDS);
    /** The agents' self-reports, sent with their batches. */
    public final AgentReports agents = new AgentReports();
    /** The rest of the collector's metrics (diagnosis, outbox), added by whoever wires them. */
    private final List<Consumer<Exposition>> sections = new CopyOnWriteArrayList<>();

    public void add(Consumer<Exposition> section) {
        sections.add(section);
    }

    public String prometheus() {
        return counter("redwatch_ingest_streams_open", "gauge", "agent streams currently open", streamsOpen.get())
                + counter(
                        "redwatch_ingest_batches_stored_total",
                        "counter",
                        "batches committed to PostgreSQL",
                        batchesStored.get())
                + counter(
                        "redwatch_ingest_batches_duplicate_total",
                        "counter",
                        "resent batches acknowledged without storing again",
                        batchesDuplicate.get())
                + counter(
                        "redwatch_ingest_records_stored_total",
                        "counter",
                        "records in stored batches",
                        recordsStored.get())
                + counter(
                        "redwatch_ingest_store_failures_total",
                        "counter",
                        "batches not stored because the database failed",
                        storeFailures.get())
                + counter(
                        "redwatch_ingest_protocol_errors_total",
                        "counter",
                        "streams closed for breaking the protocol",
                        protocolErrors.get())
                + counter(
                        "redwatch_ingest_hello_rejected_total",
                        "counter",
                        "agent streams refused for a missing, wrong, revoked or expired token",
                        helloRejected.get())
                + counter(
                        "redwatch_ingest_messages_too_large_total",
                        "counter",
                        "agent streams closed for a message over the size limit",
                        streamsTooLarge.get())
                + counter(
                        "redwatch_ingest_connections_refused_total",
                        "counter",
                        "calls refused for too many connections from one address",
                        connectionsRefused.get())
                + counter(
                        "redwatch_ingest_streams_duplicate_total",
                        "counter",
                        "streams refused because their agent id was already streaming",
                        streamsDuplicate.get())
                + counter(
                        "redwatch_ingest_streams_revoked_total",
                        "counter",
                        "open streams closed because their token was revoked or expired",
                        streamsRevoked.get())
                + counter(
                        "redwatch_ingest_batches_seq_refused_total",
                        "counter",
                        "batches refused for an impossible sequence number",
                        batchesSeqRefused.get())
                + counter(
                        "redwatch_ingest_batches_dead_lettered_total",
                        "counter",
                        "batches the database refused for good, kept in dead_letters",
                        batchesDeadLettered.get())
                + counter(
                        "redwatch_ingest_records_refused_total",
                        "counter",
                        "records refused for a malformed name or another agent's instance",
                        recordsRefused.get())
                + counter(
                        "redwatch_ingest_records_restamped_total",
                        "counter",
                        "records stored at receive time because their clock was out of bounds",
                        recordsRestamped.get())
                + counter(
                        "redwatch_ingest_records_too_old_total",
                        "counter",
                        "log lines older than retention, not stored",
                        recordsTooOld.get())
                + counter(
                        "redwatch_ingest_store_seconds_total",
                        "counter",
                        "time spent storing batches",
                        storeNanos.get() / 1e9)
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
