package io.redwatch.collector.ingest;

import io.redwatch.collector.storage.GroupCommit;
import java.util.concurrent.atomic.AtomicLong;

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
    private volatile IngestGate gate;
    private volatile GroupCommit.Counters groups;

    /** Adds the backpressure gate's and the group commit's figures to {@link #prometheus}. */
    public void watch(IngestGate gate, GroupCommit.Counters groups) {
        this.gate = gate;
        this.groups = groups;
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
                + flowControl();
    }

    private String flowControl() {
        IngestGate g = gate;
        GroupCommit.Counters c = groups;
        if (g == null || c == null) return "";
        return counter("redwatch_ingest_inflight_bytes", "gauge", "bytes of batches received and not yet acknowledged", g.inFlightBytes())
                + counter("redwatch_ingest_streams_waiting", "gauge", "agent streams not read from until acknowledgements catch up", g.waiting())
                + counter("redwatch_ingest_commit_queue", "gauge", "batches waiting for a group commit", c.queued.get())
                + counter("redwatch_ingest_groups_total", "counter", "group commits (transactions of many batches)", c.groups.get())
                + counter("redwatch_ingest_grouped_batches_total", "counter", "batches committed in groups", c.groupedBatches.get())
                + counter("redwatch_ingest_groups_retried_total", "counter", "failed groups stored again one batch at a time", c.groupsRetriedOneByOne.get())
                + counter("redwatch_ingest_unstorable_total", "counter", "batches that failed alone for a reason no retry changes", c.unstorable.get());
    }

    private static String counter(String name, String type, String help, double value) {
        String v = value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
        return "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " + v + "\n";
    }
}
