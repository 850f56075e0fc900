package io.redwatch.collector.ingest;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.redwatch.collector.faultinjection.CrashPoint;
import io.redwatch.collector.security.AgentIds;
import io.redwatch.collector.security.AgentTokens;
import io.redwatch.collector.security.TokenCheck;
import io.redwatch.collector.storage.BatchStore;
import io.redwatch.collector.storage.GroupCommit;
import io.redwatch.collector.storage.StoreFailure;
import io.redwatch.collector.storage.StoreResult;
import io.redwatch.proto.v1.Ack;
import io.redwatch.proto.v1.AgentMessage;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.CollectorMessage;
import io.redwatch.proto.v1.Hello;
import io.redwatch.proto.v1.IngestGrpc;
import io.redwatch.proto.v1.Reject;
import io.redwatch.proto.v1.Welcome;
import io.vertx.core.WorkerExecutor;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The agents' stream: Hello → Welcome (with the last stored sequence number), then one Ack per batch
 * once it is committed. A stream asks gRPC for its next message only after the previous one is
 * stored, and only through the {@link IngestGate}, so each agent's batches are stored in order and a
 * slow database slows the agents down instead of filling the collector's memory. Batches are handed
 * to {@link GroupCommit} (many agents' batches per transaction; its threads complete each batch after
 * its commit); hellos run on their own worker pool; nothing blocks a gRPC or event-loop thread.
 */
public final class IngestService extends IngestGrpc.IngestImplBase {
    private static final Logger LOG = Logger.getLogger(IngestService.class.getName());
    /** Test-only (off unless -Dredwatch.test.crashAfterCommit=N): dies between the commit and the ack. */
    private static final CrashPoint CRASH_AFTER_COMMIT = CrashPoint.named("crashAfterCommit");

    private final BatchStore store;
    private final GroupCommit commits;
    private final IngestGate gate;
    /** Hellos (token check, agent row, last stored seq): apart from the committers, so a reconnect storm cannot delay acks. */
    private final WorkerExecutor workers;
    private final IngestMetrics metrics;
    private final String collectorId;
    private final BatchObserver observer;
    /** Null when agent tokens are off. */
    private final AgentTokens tokens;
    /** Refusals already logged, as "agent id\0reason": one line per agent and reason, not one per reconnect. */
    private final Set<String> refusalsLogged = ConcurrentHashMap.newKeySet();
    /** Last problem logged per agent, so a database outage is one line per agent, not one per batch. */
    private final Map<String, String> lastProblem = new ConcurrentHashMap<>();

    private static final int MAX_NAME = 255;
    private static final int MAX_REFUSALS_REMEMBERED = 10_000;

    /** A hello whose token does not let its agent in; carried out of the worker to the stream. */
    private static final class Refused extends RuntimeException {
        final TokenCheck check;

        Refused(TokenCheck check) {
            super(check.reason(), null, false, false);
            this.check = check;
        }
    }

    /** Told about each newly stored batch, on the worker thread, before it is acknowledged. */
    @FunctionalInterface
    public interface BatchObserver {
        void stored(String agentHost, Batch batch);
    }

    /**
     * With {@code tokens}, every hello must carry a valid token of its agent id (null: tokens off).
     * Batches are stored by {@code commits} (group commit); {@code gate} bounds what is read ahead.
     */
    public IngestService(BatchStore store, GroupCommit commits, IngestGate gate, WorkerExecutor workers,
                         IngestMetrics metrics, String collectorId, BatchObserver observer, AgentTokens tokens) {
        this.tokens = tokens;
        this.store = store;
        this.commits = commits;
        this.gate = gate;
        this.observer = observer;
        this.workers = workers;
        this.metrics = metrics;
        this.collectorId = collectorId;
    }

    @Override
    public StreamObserver<AgentMessage> stream(StreamObserver<CollectorMessage> responses) {
        ServerCallStreamObserver<CollectorMessage> out = (ServerCallStreamObserver<CollectorMessage>) responses;
        out.disableAutoRequest();
        AgentStream s = new AgentStream(out);
        out.setOnCancelHandler(s::cancelled);
        metrics.streamsOpen.incrementAndGet();
        out.request(1);
        return s;
    }

    private final class AgentStream implements StreamObserver<AgentMessage>, IngestGate.Waiter {
        private final ServerCallStreamObserver<CollectorMessage> out;
        private volatile Hello hello;
        private volatile boolean closed;

        AgentStream(ServerCallStreamObserver<CollectorMessage> out) {
            this.out = out;
        }

        @Override
        public void onNext(AgentMessage m) {
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
            if (idProblem != null || h.getHostname().length() > MAX_NAME || h.getVersion().length() > MAX_NAME) {
                protocolError("a hello with a bad agent_id, hostname or version ("
                        + (idProblem != null ? idProblem : "longer than " + MAX_NAME + " characters") + ")");
                return;
            }
            hello = h;
            workers.<Long>executeBlocking(() -> {
                if (tokens != null) {
                    TokenCheck check = tokens.check(h.getAgentId(), h.getToken(), Instant.now());
                    if (check != TokenCheck.OK) throw new Refused(check);
                }
                return store.registerAgent(h.getAgentId(), h.getHostname(), h.getVersion(), h.getIntervalMs());
            }, false).onComplete(r -> {
                if (r.failed() && r.cause() instanceof Refused refused) {
                    refuse(h, refused.check);
                    return;
                }
                if (r.failed()) {
                    storeFailed(h.getAgentId(), r.cause());
                    return;
                }
                if (tokens != null && !refusalsLogged.isEmpty()) {
                    refusalsLogged.removeIf(k -> k.startsWith(h.getAgentId() + "\0")); // a later refusal is news again
                }
                send(CollectorMessage.newBuilder().setWelcome(Welcome.newBuilder().setLastStoredSeq(r.result())
                        .setCollectorId(collectorId)).build());
                LOG.fine(() -> "agent " + h.getAgentId() + " (" + h.getHostname() + ", " + h.getVersion() + ") connected");
                gate.askNext(this);
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
            gate.arrived(this, bytes);
            long start = System.nanoTime();
            boolean queued = commits.submit(new BatchStore.AgentBatch(h.getAgentId(), b), new GroupCommit.Completion() {
                @Override
                public void stored(StoreResult result) {
                    metrics.storeNanos.addAndGet(System.nanoTime() - start);
                    if (!result.duplicate()) {
                        CRASH_AFTER_COMMIT.reached("batch " + b.getSeq() + " of agent " + h.getAgentId() + " committed, not acknowledged");
                        observe(h, b);
                    }
                    acknowledge(h, b, result);
                    gate.done(bytes);
                    gate.askNext(AgentStream.this);
                }

                @Override
                public void failed(StoreFailure failure) {
                    metrics.storeNanos.addAndGet(System.nanoTime() - start);
                    gate.done(bytes);
                    storeFailed(h.getAgentId(), failure.cause());
                }
            });
            if (!queued) {
                gate.done(bytes);
                storeFailed(h.getAgentId(), new IllegalStateException("the collector's commit queue is full"));
            }
        }

        /** Live diagnosis must never cost a stored batch its acknowledgement. */
        private void observe(Hello h, Batch b) {
            try {
                observer.stored(h.getHostname(), b);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "live diagnosis could not take batch " + b.getSeq() + " of agent " + h.getAgentId()
                        + " (stored and acknowledged all the same): " + e.getMessage(), e);
            }
        }

        private void acknowledge(Hello h, Batch b, StoreResult result) {
            if (result.duplicate()) {
                metrics.batchesDuplicate.incrementAndGet();
            } else {
                metrics.batchesStored.incrementAndGet();
                metrics.recordsStored.addAndGet(b.getRecordsCount());
            }
            if (lastProblem.remove(h.getAgentId()) != null) {
                LOG.info("agent " + h.getAgentId() + ": storing batches again");
            }
            send(CollectorMessage.newBuilder().setAck(Ack.newBuilder().setSeq(b.getSeq())
                    .setDuplicate(result.duplicate())).build());
        }

        @Override
        public boolean resume() {
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
                LOG.log(Level.WARNING, "agent " + agentId + ": cannot store its data: " + problem
                        + "; nothing acknowledged, the agent keeps its data and will resend. Check PostgreSQL (GET /health).", cause);
            }
            close(Status.UNAVAILABLE.withDescription("collector cannot store data right now: " + problem));
        }

        /** A permanent Reject the agent logs, then UNAUTHENTICATED; logged here once per agent id and reason. */
        private void refuse(Hello h, TokenCheck check) {
            metrics.helloRejected.incrementAndGet();
            if (refusalsLogged.size() > MAX_REFUSALS_REMEMBERED) refusalsLogged.clear(); // bounded against made-up ids
            if (refusalsLogged.add(h.getAgentId() + "\0" + check.name())) {
                LOG.warning("refused agent " + h.getAgentId() + " (" + h.getHostname() + "): " + check.reason() + "; "
                        + check.advice(h.getAgentId()) + ". Logged once; its retries are counted in redwatch_ingest_hello_rejected_total.");
            }
            send(CollectorMessage.newBuilder().setReject(Reject.newBuilder().setPermanent(true)
                    .setReason("agent " + h.getAgentId() + " refused: " + check.reason())).build());
            close(Status.UNAUTHENTICATED.withDescription(check.reason()));
        }

        private void protocolError(String what) {
            metrics.protocolErrors.incrementAndGet();
            Hello h = hello;
            LOG.warning("agent stream " + (h == null ? "(no hello yet)" : h.getAgentId()) + " sent " + what
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
            gate.gone(this);
        }

        void cancelled() {
            synchronized (this) {
                if (closed) return;
                closed = true;
            }
            metrics.streamsOpen.decrementAndGet();
            gate.gone(this);
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
            gate.gone(this);
        }
    }
}
