package io.redwatch.collector;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

/**
 * The collector's thread pools, one per kind of work, so a slow kind waits in its own line: a slow
 * SMTP server holds alert delivery's threads, a refill storm the refill threads, and neither can
 * delay an acknowledgement. Batches are committed by GroupCommit's own threads on their own database
 * pool ({@link #INGEST_CONNECTIONS}); every other kind shares the configured database pool, but with
 * at most its own thread count of connections at a time.
 *
 * <p>Each pool's work is started by a timer that skips a tick while the last one runs, or by one
 * agent stream at a time, so no queue grows without bound.
 */
final class Pools implements AutoCloseable {
    /** Threads committing groups of batches side by side. */
    static final int COMMITTERS = 2;
    /** Database connections reserved for ingest: the committers and the hellos. */
    static final int INGEST_CONNECTIONS = COMMITTERS + 2;

    /** Hellos: token check, agent row, last stored sequence number. */
    final WorkerExecutor hellos;
    /** Live diagnosis: evaluating the rules over instances' windows, and the agent_silent check. */
    final WorkerExecutor diagnosis;
    /** Filling instances' windows from PostgreSQL (after a restart or an agent moving collectors). */
    final WorkerExecutor refills;
    /** Alert delivery: claiming notifications and sending email and SMS. */
    final WorkerExecutor alerting;
    /** The rest: partition maintenance, the HTTP API's queries. */
    final WorkerExecutor general;

    Pools(Vertx vertx, int generalThreads) {
        hellos = vertx.createSharedWorkerExecutor("redwatch-hello", 2);
        diagnosis = vertx.createSharedWorkerExecutor("redwatch-diagnosis", 1);
        refills = vertx.createSharedWorkerExecutor("redwatch-refill", 1);
        alerting = vertx.createSharedWorkerExecutor("redwatch-alerting", 2);
        general = vertx.createSharedWorkerExecutor("redwatch-db", Math.max(1, generalThreads));
    }

    @Override
    public void close() {
        for (WorkerExecutor w : new WorkerExecutor[] {hellos, diagnosis, refills, alerting, general}) {
            w.close();
        }
    }
}
