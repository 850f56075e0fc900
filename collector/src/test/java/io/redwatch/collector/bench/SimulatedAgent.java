package io.redwatch.collector.bench;

import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.redwatch.proto.v1.AgentMessage;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.CollectorMessage;
import io.redwatch.proto.v1.Hello;
import io.redwatch.proto.v1.IngestGrpc;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One simulated agent speaking the real protocol over its own connection, as the agent's shipper
 * does: hello with the last acknowledged sequence number, batches in order with at most
 * {@value #IN_FLIGHT} unacknowledged on the stream and only while the stream is ready, every
 * unacknowledged batch kept (the spool, in memory here) and resent after a reconnect, reconnects
 * backing off exponentially with jitter up to 30 s.
 */
final class SimulatedAgent implements ClientResponseObserver<AgentMessage, CollectorMessage> {
    private static final int IN_FLIGHT = 8;
    private static final long MAX_BACKOFF_MS = 30_000;

    private record Pending(Batch batch, long n) {}

    final int index;
    final String agentId;
    private final ManagedChannel channel;
    private final ScheduledExecutorService timers;
    private final FleetStats stats;
    private final long runId;
    private final TreeMap<Long, Pending> unacked = new TreeMap<>();
    private final Map<Long, Long> sentNanos = new java.util.HashMap<>();
    private ClientCallStreamObserver<AgentMessage> stream;
    private boolean welcomed;
    private long lastSent;
    private int inFlight;
    private long nextSeq = 1;
    private long samples;
    private long acked;
    private long highestAcked;
    private long backoffMs = 1000;
    private long helloNanos;
    private volatile boolean sampling = true;

    SimulatedAgent(int index, long runId, ManagedChannel channel, ScheduledExecutorService timers, FleetStats stats) {
        this.index = index;
        this.runId = runId;
        this.agentId = "fleet-" + runId + "-" + index;
        this.channel = channel;
        this.timers = timers;
        this.stats = stats;
    }

    /** Connects after {@code delayMs} and samples every {@code intervalMs} from then on. */
    void start(long delayMs, long intervalMs) {
        timers.schedule(this::connect, delayMs, TimeUnit.MILLISECONDS);
        timers.scheduleAtFixedRate(this::sample, delayMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    void stopSampling() {
        sampling = false;
    }

    synchronized long unackedCount() {
        return unacked.size();
    }

    synchronized long acked() {
        return acked;
    }

    synchronized long samples() {
        return samples;
    }

    synchronized boolean connected() {
        return welcomed;
    }

    /** How many of the acknowledged batches carried CONFIG (batch n carries it when FleetSample says so). */
    synchronized long configsAcked() {
        return configsAcked;
    }

    private long configsAcked;

    private void sample() {
        if (!sampling) return;
        synchronized (this) {
            long n = ++samples;
            long seq = nextSeq++;
            unacked.put(seq, new Pending(FleetSample.batch(index, seq, n, System.currentTimeMillis()), n));
        }
        pump();
    }

    private void connect() {
        ClientCallStreamObserver<AgentMessage> s;
        synchronized (this) {
            welcomed = false;
            inFlight = 0;
            sentNanos.clear();
            s = (ClientCallStreamObserver<AgentMessage>) IngestGrpc.newStub(channel).stream(this);
            stream = s;
            helloNanos = System.nanoTime();
            s.onNext(AgentMessage.newBuilder()
                    .setHello(Hello.newBuilder()
                            .setAgentId(agentId)
                            .setHostname("fleet-" + index)
                            .setVersion("fleet-bench")
                            .setLastAckedSeq(highestAcked)
                            .setIntervalMs(10_000))
                    .build());
        }
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<AgentMessage> requestStream) {
        requestStream.setOnReadyHandler(this::pump);
    }

    @Override
    public void onNext(CollectorMessage m) {
        switch (m.getBodyCase()) {
            case WELCOME -> {
                long waited;
                synchronized (this) {
                    welcomed = true;
                    backoffMs = 1000;
                    lastSent = 0; // resend every unacknowledged batch, in order
                    waited = System.nanoTime() - helloNanos;
                }
                stats.connected(waited);
                pump();
            }
            case ACK -> {
                long latency = -1;
                synchronized (this) {
                    long seq = m.getAck().getSeq();
                    Long sent = sentNanos.remove(seq);
                    if (sent != null) inFlight--;
                    Pending p = unacked.remove(seq);
                    if (p != null) {
                        acked++;
                        if (FleetSample.hasConfig(p.n())) configsAcked++;
                        highestAcked = Math.max(highestAcked, seq);
                        if (sent != null) latency = System.nanoTime() - sent;
                    }
                }
                if (latency >= 0) stats.acked(latency);
                pump();
            }
            case REJECT -> stats.rejected(agentId + ": " + m.getReject().getReason());
            default -> {}
        }
    }

    private void pump() {
        synchronized (this) {
            ClientCallStreamObserver<AgentMessage> s = stream;
            while (s != null && welcomed && inFlight < IN_FLIGHT && s.isReady()) {
                Map.Entry<Long, Pending> next = unacked.higherEntry(lastSent);
                if (next == null) break;
                lastSent = next.getKey();
                inFlight++;
                sentNanos.put(next.getKey(), System.nanoTime());
                s.onNext(AgentMessage.newBuilder()
                        .setBatch(next.getValue().batch())
                        .build());
            }
        }
    }

    @Override
    public void onError(Throwable t) {
        if (!timers.isShutdown()) stats.streamError(agentId, t);
        lost();
    }

    @Override
    public void onCompleted() {
        lost();
    }

    private void lost() {
        long delay;
        synchronized (this) {
            boolean was = welcomed;
            stream = null;
            welcomed = false;
            delay = backoffMs / 2 + ThreadLocalRandom.current().nextLong(backoffMs / 2 + 1);
            backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
            if (was) stats.disconnected();
        }
        if (timers.isShutdown()) return; // the run is over: its channels closing is not a lost stream
        timers.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }
}
