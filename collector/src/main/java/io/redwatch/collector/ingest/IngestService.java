package io.redwatch.collector.ingest;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.redwatch.collector.facts.BatchFacts;
import io.redwatch.collector.faultinjection.CrashPoint;
import io.redwatch.collector.security.AgentIds;
import io.redwatch.collector.storage.BatchStore;
import io.redwatch.collector.storage.SequenceRefused;
import io.redwatch.collector.storage.SequenceRule;
import io.redwatch.proto.v1.Ack;
import io.redwatch.proto.v1.AgentMessage;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.CollectorMessage;
import io.redwatch.proto.v1.Hello;
import io.redwatch.proto.v1.IngestGrpc;
import io.redwatch.proto.v1.Reject;
import io.redwatch.proto.v1.Welcome;
import io.vertx.core.WorkerExecutor;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The agents' stream: Hello → Welcome (with the last stored sequence number), then one Ack per batch
 * once it is committed. A stream asks gRPC for its next message only after the previous one is
 * stored, and only while the bytes of all streams' unacknowledged batches are within the
 * {@link IngestGate}'s budget, so each agent's batches are stored in order and a slow database
 * slows the agents down (they spool) instead of filling the collector's memory. Batches are
 * committed many agents at a time (GroupCommit); database work never runs on a gRPC or event-loop thread.
 *
 * <p>The caller was authenticated from its call metadata before this sees a message
 * ({@link AgentCallAuth}); the {@link StreamGuard} admits one stream per agent id, and every batch
 * goes through the {@link BatchGate} (names, instance owners, clocks, dead letters).
 */
public final class IngestService extends IngestGrpc.IngestImplBase {
    private static final Logger LOG = Logger.getLogger(IngestService.class.getName());
    /** Test-only (off unless -Dredwatch.test.crashAfterCommit=N): dies between the commit and the ack. */
    private static final CrashPoint CRASH_AFTER_COMMIT = CrashPoint.named("crashAfterCommit");

    private final BatchStore store;
    private final WorkerExecutor workers;
    private final IngestMetrics metrics;
    private final String collectorId;
    private final BatchObserver observer;
    private final StreamGuard guard;
    private final BatchGate gate;
    private final RefusalLog refusals;
    private final IngestGate inflight;
    /** Last problem logged per agent, so a database outage is one line per agent, not one per batch. */
    private final Map<String, String> lastProblem = new ConcurrentHashMap<>();

    /** Told about each newly stored batch, on the thread that committed it, before it is acknowledged; must be quick. */
    @FunctionalInterface
    public interface BatchObserver {
        /** A batch just committed, as ingest read it. */
        void stored(String agentId, String agentHost, BatchFacts facts);
    }

    public IngestService(
            BatchStore store,
            WorkerExecutor workers,
            IngestMetrics metrics,
            String collectorId,
            BatchObserver observer,
            StreamGuard guard,
            BatchGate gate,
            RefusalLog refusals,
            IngestGate inflight) {
        this.inflight = inflight;
        this.guard = guard;
        this.gate = gate;
        this.refusals = refusals;
        this.store = store;
        this.observer = observer;
        this.workers = workers;
        this.metrics = metrics;
        this.collectorId = collectorId;
    }

    @Override
    public StreamObserver<AgentMessage> stream(StreamObserver<CollectorMessage> responses) {
        ServerCallStreamObserver<CollectorMessage> out = (ServerCallStreamObserver<CollectorMessage>) responses;
        out.disableAutoRequest();
        AgentStream s = new AgentStream(out, AgentCallAuth.CALLER.get());
        out.setOnCancelHandler(s::cancelled);
        metrics.streamsOpen.incrementAndGet();
        out.request(1);
        return s;
    }

    private final class AgentStream implements StreamObserver<AgentMessage>, StreamGuard.Live, IngestGate.Waiter {
        private final ServerCallStreamObserver<CollectorMessage> out;
        /** Who the call was authenticated as (agent id null with tokens off). */
        private final AgentCallAuth.Caller caller;

        private volatile Hello hello;
        private volatile boolean closed;
        private volatile boolean admitted;
        private volatile long lastHeardMs = System.currentTimeMillis();
        /** A batch of it is being stored: alive, however long the database takes (no next message is asked for meanwhile). */
        private volatile boolean storing;
        /** Waiting in the in-flight budget's line to be asked for its next batch: alive, the collector is the one behind. */
        private volatile boolean held;

        AgentStream(ServerCallStreamObserver<CollectorMessage> out, AgentCallAuth.Caller caller) {
            this.out = out;
            this.caller = caller != null ? caller : new AgentCallAuth.Caller(null, null, "?");
        }

        @Override
        public long lastHeardMs() {
            return waitingOnCollector() ? System.currentTimeMillis() : lastHeardMs;
        }

        @Override
        public boolean waitingOnCollector() {
            return storing || held;
        }

        /** Asks for the next batch through the in-flight budget, now or when it allows. */
        private void askNext() {
            held = true;
            inflight.askNext(this);
        }

        @Override
        public int intervalMs() {
            Hello h = hello;
            return h == null ? 0 : h.getIntervalMs();
        }

        @Override
        public String peer() {
            return caller.peer();
        }

        @Override
        public byte[] tokenHash() {
            return caller.tokenHash();
        }

        /** Closed from outside (replaced by a newer stream, token revoked): the agent is told why. */
        @Override
        public void end(Status status, String reason) {
            send(CollectorMessage.newBuilder()
                    .setReject(Reject.newBuilder()
                            .setReason(reason)
                            .setPermanent(status.getCode() == Status.Code.UNAUTHENTICATED))
                    .build());
            close(status.withDescription(reason));
        }

        @Override
        public void onNext(AgentMessage m) {
            lastHeardMs = System.currentTimeMillis();
            if (m == LenientAgentMessages.MALFORMED) {
                protocolError("a message that is not a valid protobuf AgentMessage");
                return;
            }
            switch (m.getBodyCase()) {
                case HELLO -> onHello(m.getHello());
                case BATCH -> onBatch(m.getBatch());
                case BODY_NOT_SET -> protocolError("an empty message");
            }
        }

        private void onHello(Hello h) {
            if (hello != null) {
                protocolError("a second hello on one stream");
                return;
            }
            if (h.getAgentId().isBlank()) {
                protocolError("a hello without agent_id");
                return;
            }
            String idProblem = AgentIds.problem(h.getAgentId());
            if (idProblem == null) idProblem = WireNames.problem("hostname", h.getHostname());
            if (idProblem == null) idProblem = WireNames.problem("version", h.getVersion());
            if (idProblem != null) {
                protocolError("a hello with a bad agent_id, hostname or version (" + idProblem + ")");
                return;
            }
            hello = h;
            if (caller.agentId() != null && !caller.agentId().equals(h.getAgentId())) {
                refuse(
                        h,
                        Status.PERMISSION_DENIED,
                        "the call was authenticated as agent " + caller.agentId() + " but its hello names agent "
                                + h.getAgentId(),
                        "set the same agent_id on the agent as in its token");
                return;
            }
            String busy = guard.admit(h.getAgentId(), this, System.currentTimeMillis());
            if (busy != null) {
                metrics.streamsDuplicate.incrementAndGet();
                refuse(h, Status.ALREADY_EXISTS, busy, "");
                return;
            }
            admitted = true;
            workers.<Long>executeBlocking(
                            () -> store.registerAgent(
                                    h.getAgentId(), h.getHostname(), h.getVersion(), h.getIntervalMs()),
                            false)
                    .onComplete(r -> {
                        if (r.failed()) {
                            storeFailed(h.getAgentId(), r.cause());
                            return;
                        }
                        if (SequenceRule.poisoned(r.result())) {
                            refuse(
                                    h,
                                    Status.FAILED_PRECONDITION,
                                    "the last stored batch number of this agent, " + Long.toUnsignedString(r.result())
                                            + ", is impossible (a forged batch?)",
                                    "reset it: `UPDATE agents SET last_seq = 0 WHERE agent_id = '" + h.getAgentId()
                                            + "'` (redwatch-collector migrate does so)");
                            return;
                        }
                        send(CollectorMessage.newBuilder()
                                .setWelcome(Welcome.newBuilder()
                                        .setLastStoredSeq(r.result())
                                        .setCollectorId(collectorId))
                                .build());
                        LOG.fine(() -> "agent " + h.getAgentId() + " (" + h.getHostname() + ", " + h.getVersion()
                                + ") connected");
                        askNext();
                    });
        }

        private void onBatch(Batch b) {
            Hello h = hello;
            if (h == null) {
                protocolError("a batch before the hello");
                return;
            }
            if (b.getSeq() == 0) {
                protocolError("a batch without a sequence number");
                return;
            }
            long bytes = b.getSerializedSize();
            inflight.arrived(this, bytes);
            long start = System.nanoTime();
            storing = true;
            // Screening reads the database (instance owners), so it runs on a worker; the commit runs on
            // the group commit's threads, and what follows it on the thread that committed.
            workers.executeBlocking(() -> gate.pass(h.getAgentId(), h.getHostname(), b), false)
                    .onComplete(screened -> {
                        if (screened.failed()) {
                            finish(h, b, bytes, start, null, screened.cause());
                            return;
                        }
                        screened.result()
                                .thenApply(outcome -> {
                                    if (!outcome.duplicate() && outcome.stored() != null) {
                                        CRASH_AFTER_COMMIT.reached("batch " + b.getSeq() + " of agent " + h.getAgentId()
                                                + " committed, not acknowledged");
                                        observer.stored(h.getAgentId(), h.getHostname(), outcome.stored());
                                    }
                                    return outcome;
                                })
                                .whenComplete((outcome, failure) -> finish(h, b, bytes, start, outcome, failure));
                    });
        }

        /** The batch is stored (acknowledged) or not (the stream ends; the agent resends it). */
        private void finish(Hello h, Batch b, long bytes, long start, BatchGate.Outcome outcome, Throwable failure) {
            lastHeardMs = System.currentTimeMillis();
            storing = false;
            inflight.done(bytes);
            metrics.storeNanos.addAndGet(System.nanoTime() - start);
            metrics.storeSeconds.observeNanos(System.nanoTime() - start);
            Throwable cause =
                    failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof SequenceRefused refused) {
                metrics.batchesSeqRefused.incrementAndGet();
                refuse(
                        h,
                        Status.FAILED_PRECONDITION,
                        "batch refused: " + refused.getMessage(),
                        "nothing of it was stored or acknowledged; a real agent never does this: is this agent's state"
                                + " directory (spool) from another agent, or was the database restored from an old backup?");
                return;
            }
            if (cause != null) {
                storeFailed(h.getAgentId(), cause);
                return;
            }
            if (outcome.duplicate()) {
                metrics.batchesDuplicate.incrementAndGet();
            } else {
                metrics.batchesStored.incrementAndGet();
                metrics.recordsStored.addAndGet(b.getRecordsCount());
            }
            if (b.hasAgentStats())
                metrics.agents.reported(h.getAgentId(), b.getSeq(), b.getAgentStats(), System.currentTimeMillis());
            if (lastProblem.remove(h.getAgentId()) != null) {
                LOG.info("agent " + h.getAgentId() + ": storing batches again");
            }
            send(CollectorMessage.newBuilder()
                    .setAck(Ack.newBuilder()
                            .setSeq(b.getSeq())
                            .setDuplicate(outcome.duplicate())
                            .setRefused(outcome.refused()))
                    .build());
            askNext();
        }

        /** Asks gRPC for this stream's next message (IngestGate calls it when the budget allows). */
        @Override
        public synchronized boolean resume() {
            held = false;
            if (closed) return false;
            out.request(1);
            return true;
        }

        /**
         * Nothing is acknowledged, so the agent keeps the batch; the stream ends as UNAVAILABLE and the
         * agent reconnects with backoff and resends — that is how a database outage loses nothing.
         */
        private void storeFailed(String agentId, Throwable cause) {
            metrics.storeFailures.incrementAndGet();
            String problem = String.valueOf(cause.getMessage());
            if (!problem.equals(lastProblem.put(agentId, problem))) {
                LOG.log(
                        Level.WARNING,
                        "agent " + agentId + ": cannot store its data: " + problem
                                + "; nothing acknowledged, the agent keeps its data and will resend. Check PostgreSQL (GET /health).",
                        cause);
            }
            close(Status.UNAVAILABLE.withDescription("collector cannot store data right now: " + problem));
        }

        /**
         * A permanent Reject the agent logs (and retries at its longest backoff), then {@code status};
         * logged here once per agent id and reason per interval.
         */
        private void refuse(Hello h, Status status, String reason, String advice) {
            refusals.log(
                    Level.WARNING,
                    h.getAgentId(),
                    status.getCode() + reason,
                    () -> "refused stream of agent " + h.getAgentId() + " (from " + caller.peer() + "): " + reason
                            + (advice.isEmpty() ? "" : "; " + advice));
            send(CollectorMessage.newBuilder()
                    .setReject(Reject.newBuilder()
                            .setPermanent(true)
                            .setReason("agent " + h.getAgentId() + " refused: " + reason))
                    .build());
            close(status.withDescription(reason));
        }

        private void protocolError(String what) {
            metrics.protocolErrors.incrementAndGet();
            Hello h = hello;
            String who = h != null ? h.getAgentId() : caller.agentId() != null ? caller.agentId() : caller.peer();
            // Once per source and kind of error per interval: a client looping on bad bytes is one line.
            int detail = what.indexOf(" (");
            refusals.log(
                    Level.WARNING,
                    who,
                    detail < 0 ? what : what.substring(0, detail),
                    () -> "agent stream " + (h == null ? "(no hello yet) " : "")
                            + (h != null
                                    ? h.getAgentId()
                                    : caller.agentId() != null ? "of agent " + caller.agentId() : "")
                            + " from " + caller.peer() + " sent " + what
                            + "; closing the stream. Is the agent a compatible redwatch version?");
            close(Status.INVALID_ARGUMENT.withDescription("protocol error: " + what));
        }

        private synchronized void send(CollectorMessage m) {
            if (!closed) out.onNext(m);
        }

        private void close(Status status) {
            synchronized (this) {
                if (closed) return;
                closed = true;
                metrics.streamsOpen.decrementAndGet();
                out.onError(status.asRuntimeException());
            }
            leave(); // outside this stream's lock: leaving the IngestGate may resume other streams
        }

        private void leave() {
            inflight.gone(this);
            Hello h = hello;
            if (admitted && h != null) guard.leave(h.getAgentId(), this);
        }

        void cancelled() {
            synchronized (this) {
                if (closed) return;
                closed = true;
            }
            leave();
            metrics.streamsOpen.decrementAndGet();
            Hello h = hello;
            LOG.fine(() -> "agent " + (h == null ? "?" : h.getAgentId()) + " went away");
        }

        @Override
        public void onError(Throwable t) {
            // The agent cancelled or the connection broke; the cancel handler accounts for it.
            cancelled();
        }

        @Override
        public void onCompleted() {
            synchronized (this) {
                if (closed) return;
                closed = true;
                metrics.streamsOpen.decrementAndGet();
                out.onCompleted();
            }
            leave();
        }
    }
}
