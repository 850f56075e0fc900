package io.redwatch.agent.shipping;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.redwatch.agent.config.CollectorTls;
import io.redwatch.agent.spool.AckListener;
import io.redwatch.agent.spool.UnackedBatches;
import io.redwatch.proto.v1.AgentMessage;
import io.redwatch.proto.v1.AgentStats;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.CollectorMessage;
import io.redwatch.proto.v1.Hello;
import io.redwatch.proto.v1.IngestGrpc;
import io.redwatch.proto.v1.Record;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Drains the {@link RecordBuffer} into batches and streams them to the collector over one
 * long-lived gRPC stream: Hello, wait for Welcome, then batches; every Ack removes batches from the
 * {@link UnackedBatches}. On any failure the stream is dropped, and after a capped, jittered exponential
 * backoff a new one resends every unacknowledged batch under its original sequence number, which is
 * what lets the collector store each batch exactly once.
 *
 * <p>One thread runs {@link #run()}; gRPC callbacks only enqueue events for it, so all state is
 * confined to that thread.
 */
public final class Shipper implements Runnable {
    private static final Logger LOG = Logger.getLogger(Shipper.class.getName());

    /** Settings with sane defaults; tests shorten the times. */
    public record Settings(
            int maxRecordsPerBatch,
            int maxBatchBytes,
            int maxInFlight,
            long initialBackoffMs,
            long maxBackoffMs,
            long ackTimeoutMs,
            long flushWaitMs) {
        public static Settings defaults() {
            return new Settings(1000, 1 << 20, 8, 500, 30_000, 60_000, 200);
        }
    }

    /** Who this agent is, as said in the Hello. */
    public record Identity(String agentId, String hostname, String version, String token, int intervalMs) {
        @Override
        public String toString() {
            return "Identity[" + agentId + "@" + hostname + " " + version + "]";
        }
    }

    private sealed interface Event permits Welcomed, Acked, Rejected, StreamFailed {}

    private record Welcomed(Stream stream, long lastStoredSeq) implements Event {}

    private record Acked(Stream stream, long seq, String refused) implements Event {}

    private record Rejected(Stream stream, String reason, boolean permanent) implements Event {}

    private record StreamFailed(Stream stream, Status status) implements Event {}

    private final String target;
    private final Identity identity;
    private final RecordBuffer buffer;
    private final UnackedBatches unacked;
    private final AckListener ackListener;
    private final Settings settings;
    private final ManagedChannel channel;
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();

    private volatile boolean running = true;
    private Stream stream;
    private long highestSent;
    private long lastAcked;
    private long lastSendMs;
    private long backoffMs;
    private long nextConnectAtMs;
    private String lastProblem = "";
    /** When lastProblem was logged: a refusal that persists is logged again every REPEAT_LOG_MS, never per retry. */
    private long lastProblemLoggedMs;

    private String lastAckRefusal = "";
    private long lastAckRefusalLoggedMs;
    private static final long REPEAT_LOG_MS = 10 * 60_000L;
    private volatile boolean connected;
    private boolean sentLastRound;
    /** The agent's own health, attached to a batch at most every STATS_EVERY_MS; null: none. */
    private volatile Supplier<AgentStats> stats;

    private long statsAttachedMs;
    private static final long STATS_EVERY_MS = 5_000;

    public Shipper(
            String target,
            Identity identity,
            RecordBuffer buffer,
            UnackedBatches unacked,
            AckListener ackListener,
            Settings settings) {
        this(target, CollectorTls.off(), identity, buffer, unacked, ackListener, settings);
    }

    public Shipper(
            String target,
            CollectorTls tls,
            Identity identity,
            RecordBuffer buffer,
            UnackedBatches unacked,
            AckListener ackListener,
            Settings settings) {
        this.target = target;
        this.identity = identity;
        this.buffer = buffer;
        this.unacked = unacked;
        this.ackListener = ackListener;
        this.settings = settings;
        this.backoffMs = settings.initialBackoffMs();
        // No executor of its own: the callbacks only enqueue events, on the agent's shared event loop
        // (CollectorChannel), and every thread and pool the agent does not start is memory it does not spend.
        this.channel = CollectorChannel.builder(target, tls)
                .directExecutor()
                // Detects a half-open connection; the collector permits pings at this rate.
                .keepAliveTime(30, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS)
                .maxInboundMessageSize(1 << 20)
                .build();
    }

    /** A stream and the state of its request side. */
    private final class Stream implements ClientResponseObserver<AgentMessage, CollectorMessage> {
        private ClientCallStreamObserver<AgentMessage> requests;
        private boolean welcomed;

        @Override
        public void beforeStart(ClientCallStreamObserver<AgentMessage> requestStream) {
            this.requests = requestStream;
        }

        @Override
        public void onNext(CollectorMessage m) {
            switch (m.getBodyCase()) {
                case WELCOME -> events.add(new Welcomed(this, m.getWelcome().getLastStoredSeq()));
                case ACK ->
                    events.add(new Acked(this, m.getAck().getSeq(), m.getAck().getRefused()));
                case REJECT ->
                    events.add(new Rejected(
                            this, m.getReject().getReason(), m.getReject().getPermanent()));
                case BODY_NOT_SET -> {
                    // a newer collector may send messages this agent does not know; ignore them
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            events.add(new StreamFailed(this, Status.fromThrowable(t)));
        }

        @Override
        public void onCompleted() {
            events.add(new StreamFailed(this, Status.UNAVAILABLE.withDescription("collector closed the stream")));
        }
    }

    @Override
    public void run() {
        while (running) {
            try {
                long waitMs = drainWaitMs();
                if (waitMs < 0) {
                    // Backlog to send but the window is full: an ack, not a new record, is what to wait for.
                    Event e = events.poll(settings.flushWaitMs(), TimeUnit.MILLISECONDS);
                    if (e != null) handle(e);
                    waitMs = 0;
                }
                batchUp(buffer.drain(settings.maxRecordsPerBatch(), waitMs));
                handleEvents();
                long now = System.currentTimeMillis();
                if (stream == null && now >= nextConnectAtMs) {
                    open();
                }
                if (stream != null && stream.welcomed) {
                    sendPending(now);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // One bad batch or a bug must not stop shipping for good: drop the stream and retry.
                LOG.log(java.util.logging.Level.SEVERE, "shipper: unexpected error; reconnecting to the collector", e);
                fail("unexpected error: " + e);
            }
        }
    }

    /** Cuts records into batches no larger than the collector accepts. */
    private void batchUp(List<Record> records) {
        if (records.isEmpty()) return;
        Batch.Builder b = Batch.newBuilder().setCreatedMs(System.currentTimeMillis());
        int size = 0;
        for (Record r : records) {
            int rs = r.getSerializedSize() + 5;
            if (b.getRecordsCount() > 0 && size + rs > settings.maxBatchBytes()) {
                unacked.add(b.build());
                b = Batch.newBuilder().setCreatedMs(System.currentTimeMillis());
                size = 0;
            }
            b.addRecords(r);
            size += rs;
        }
        long now = System.currentTimeMillis();
        Supplier<AgentStats> s = stats;
        if (s != null && now - statsAttachedMs >= STATS_EVERY_MS) {
            b.setAgentStats(s.get());
            statsAttachedMs = now;
        }
        unacked.add(b.build());
    }

    /** Sends the agent's own health with its batches (for the collector's /metrics). */
    public void reportStats(Supplier<AgentStats> source) {
        this.stats = source;
    }

    /**
     * How long the next drain may wait for records: the flush wait when there is nothing else to do;
     * 0 while a backlog (a replaying spool) can be sent now; -1 while a backlog waits for acks.
     * Waiting on the buffer during a replay held every round of {@code maxInFlight} batches for the
     * flush wait: 40 batches/s, whatever the collector could take.
     */
    private long drainWaitMs() {
        if (stream == null || !stream.welcomed) return settings.flushWaitMs();
        long inFlight = highestSent - lastAcked;
        if (unacked.size() <= inFlight) return settings.flushWaitMs();
        if (inFlight >= settings.maxInFlight() || !stream.requests.isReady()) return -1;
        // Only while batches keep going out: never spin on a backlog that cannot be sent yet.
        return sentLastRound ? 0 : settings.flushWaitMs();
    }

    private void handleEvents() {
        Event e;
        while ((e = events.poll()) != null) handle(e);
        if (stream != null
                && stream.welcomed
                && highestSent > lastAcked
                && System.currentTimeMillis() - lastSendMs > settings.ackTimeoutMs()) {
            fail("no acknowledgement for " + settings.ackTimeoutMs() / 1000 + " s");
        }
    }

    private void handle(Event e) {
        if (stream == null || eventStream(e) != stream) return; // from a stream already given up
        if (e instanceof Welcomed w) {
            stream.welcomed = true;
            connected = true;
            // Batches the collector already stored (their ack was lost) are done; never reuse their numbers.
            unacked.numberAbove(w.lastStoredSeq());
            acknowledge(w.lastStoredSeq());
            highestSent = w.lastStoredSeq();
            if (!lastProblem.isEmpty()) {
                LOG.info("connected to collector " + target + " again; resending " + unacked.size()
                        + " unacknowledged batches");
                lastProblem = "";
            } else {
                LOG.info("connected to collector " + target + " as agent " + identity.agentId());
            }
            backoffMs = settings.initialBackoffMs();
        } else if (e instanceof Acked a) {
            if (!a.refused().isEmpty()) ackRefused(a);
            acknowledge(a.seq());
        } else if (e instanceof Rejected r) {
            refused(r.reason(), r.permanent());
        } else if (e instanceof StreamFailed f) {
            Status.Code code = f.status().getCode();
            // The collector checks the token (call metadata) before it reads the hello, so such a refusal is a status.
            if (code == Status.Code.UNAUTHENTICATED || code == Status.Code.PERMISSION_DENIED) {
                refused(
                        f.status().getDescription() == null
                                ? code.toString()
                                : f.status().getDescription(),
                        true);
            } else {
                fail(describe(f.status()));
            }
        }
    }

    /** A refusal of this agent: logged with what to do, once per reason per REPEAT_LOG_MS; a permanent one waits the longest backoff. */
    private void refused(String reason, boolean permanent) {
        String problem = "rejected: " + reason;
        long now = System.currentTimeMillis();
        if (!problem.equals(lastProblem) || now - lastProblemLoggedMs >= REPEAT_LOG_MS) {
            LOG.severe("collector " + target + " refused this agent (agent_id " + identity.agentId() + "): " + reason
                    + ". Fix what it names in the agent's config (collector.token_file, agent_id); retrying every "
                    + (permanent ? settings.maxBackoffMs() / 1000 + " s" : "few seconds") + ", logged again in "
                    + REPEAT_LOG_MS / 60_000 + " min if it persists.");
            lastProblem = problem; // so fail() does not log it a second time
            lastProblemLoggedMs = now;
        }
        if (permanent) backoffMs = settings.maxBackoffMs();
        fail(problem);
    }

    /** Some records of an acknowledged batch were not stored (another agent owns the instance, a bad name, a bad clock). */
    private void ackRefused(Acked a) {
        long now = System.currentTimeMillis();
        String key = a.refused().replaceAll("[0-9]+", "#"); // "3 records…" and "4 records…" are one problem
        if (!key.equals(lastAckRefusal) || now - lastAckRefusalLoggedMs >= REPEAT_LOG_MS) {
            LOG.warning(
                    "collector " + target + " stored batch " + Long.toUnsignedString(a.seq()) + " but not all of it: "
                            + a.refused() + " (logged once per " + REPEAT_LOG_MS / 60_000 + " min while it lasts)");
            lastAckRefusal = key;
            lastAckRefusalLoggedMs = now;
        }
    }

    private void acknowledge(long seq) {
        lastAcked = Math.max(lastAcked, seq);
        unacked.acknowledge(seq, b -> {
            ackListener.acknowledged(b);
        });
    }

    private static Stream eventStream(Event e) {
        if (e instanceof Welcomed w) return w.stream();
        if (e instanceof Acked a) return a.stream();
        if (e instanceof Rejected r) return r.stream();
        return ((StreamFailed) e).stream();
    }

    private void open() {
        // gRPC keeps its own reconnect backoff (growing to 120 s) and fails calls fast until it ends, so
        // after a long outage the agent would wait up to two minutes for a collector that is back. This
        // shipper's own jittered backoff (capped at maxBackoffMs) already paces the attempts.
        if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) channel.resetConnectBackoff();
        Stream s = new Stream();
        IngestGrpc.newStub(channel)
                .withInterceptors(CollectorChannel.identity(identity.agentId(), identity.token()))
                .stream(s);
        stream = s;
        s.requests.onNext(AgentMessage.newBuilder()
                .setHello(Hello.newBuilder()
                        .setAgentId(identity.agentId())
                        .setHostname(identity.hostname())
                        .setVersion(identity.version())
                        .setLastAckedSeq(lastAcked)
                        .setIntervalMs(identity.intervalMs()))
                .build());
        lastSendMs = System.currentTimeMillis();
    }

    private void sendPending(long now) {
        sentLastRound = false;
        long room = settings.maxInFlight() - (highestSent - lastAcked);
        if (room <= 0 || !stream.requests.isReady()) return;
        // Only the window is read (from disk): the backlog itself is never held in memory.
        for (Batch b : unacked.toSend(highestSent, (int) room)) {
            if (!stream.requests.isReady()) return; // the rest keep their numbers and go next time
            stream.requests.onNext(AgentMessage.newBuilder().setBatch(b).build());
            highestSent = b.getSeq();
            lastSendMs = now;
            sentLastRound = true;
        }
    }

    private void fail(String problem) {
        if (stream != null) {
            try {
                stream.requests.cancel("redwatch agent reconnecting: " + problem, null);
            } catch (RuntimeException ignored) {
                // the call may already be closed
            }
        }
        stream = null;
        connected = false;
        long jitter = ThreadLocalRandom.current().nextLong(backoffMs / 2 + 1);
        nextConnectAtMs = System.currentTimeMillis() + backoffMs / 2 + jitter;
        if (running && !problem.equals(lastProblem)) {
            lastProblemLoggedMs = System.currentTimeMillis();
            // Logged once per distinct problem, so a collector down for hours is one line, not thousands.
            LOG.warning("collector " + target + " unreachable: " + problem + "; " + unacked.size()
                    + " batches kept, retrying with backoff up to " + settings.maxBackoffMs() / 1000 + " s");
            lastProblem = problem;
        }
        backoffMs = Math.min(settings.maxBackoffMs(), backoffMs * 2);
    }

    private static String describe(Status s) {
        String d = s.getDescription();
        if (s.getCause() != null && (d == null || d.isEmpty())) d = s.getCause().getMessage();
        return s.getCode() + (d == null ? "" : " (" + d + ")");
    }

    public boolean connected() {
        return connected;
    }

    public void stop() {
        running = false;
        channel.shutdownNow();
    }
}
