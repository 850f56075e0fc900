package io.redwatch.agent.shipping;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.redwatch.proto.v1.Ack;
import io.redwatch.proto.v1.AgentMessage;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.CollectorMessage;
import io.redwatch.proto.v1.Hello;
import io.redwatch.proto.v1.IngestGrpc;
import io.redwatch.proto.v1.Welcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real gRPC Ingest server on 127.0.0.1 that records what agents send. It answers every Hello with a
 * Welcome carrying {@link #welcomeSeq}, acknowledges batches with seq ≤ {@link #ackUpTo}, and can drop
 * its open streams or stop and start again on the same port.
 */
final class TestCollector implements AutoCloseable {
    /** What to put in Welcome.last_stored_seq. */
    final AtomicLong welcomeSeq = new AtomicLong();
    /** Batches with a seq up to this are acknowledged; 0 acknowledges none. */
    final AtomicLong ackUpTo = new AtomicLong(Long.MAX_VALUE);

    final List<Hello> hellos = new CopyOnWriteArrayList<>();
    /** The call metadata of every stream (where the agent's id and token travel). */
    final List<io.grpc.Metadata> headers = new CopyOnWriteArrayList<>();
    /** Batches received, one list per stream, in arrival order. */
    final List<List<Batch>> streams = new CopyOnWriteArrayList<>();

    private final List<Session> open = new CopyOnWriteArrayList<>();
    private int port;
    private Server server;

    private TestCollector(int port) {
        this.port = port;
    }

    /** Starts on a free port. */
    static TestCollector start() {
        TestCollector c = new TestCollector(0);
        c.startServer(0);
        return c;
    }

    /** A collector for this port that is not running yet (the agent starts with its collector down). */
    static TestCollector notStartedOn(int port) {
        return new TestCollector(port);
    }

    int port() {
        return port;
    }

    String target() {
        return "127.0.0.1:" + port();
    }

    void startAgain() {
        startServer(port());
    }

    private void startServer(int p) {
        try {
            server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", p))
                    .addService(io.grpc.ServerInterceptors.intercept(new Service(), new io.grpc.ServerInterceptor() {
                        @Override
                        public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(
                                io.grpc.ServerCall<Q, R> call,
                                io.grpc.Metadata h,
                                io.grpc.ServerCallHandler<Q, R> next) {
                            headers.add(h);
                            return next.startCall(call, h);
                        }
                    }))
                    .build()
                    .start();
            port = server.getPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the test collector on port " + p, e);
        }
    }

    /** Stops the server and cuts every stream, as a collector crash does. */
    void stop() throws InterruptedException {
        if (server != null) {
            server.shutdownNow();
            server.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** Ends every open stream with UNAVAILABLE while the server keeps running. */
    void dropStreams() {
        for (Session s : open) s.fail();
    }

    List<Batch> allBatches() {
        List<Batch> all = new ArrayList<>();
        for (List<Batch> s : streams) all.addAll(s);
        return all;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private final class Service extends IngestGrpc.IngestImplBase {
        @Override
        public StreamObserver<AgentMessage> stream(StreamObserver<CollectorMessage> responses) {
            Session s = new Session(responses);
            open.add(s);
            streams.add(s.received);
            return s;
        }
    }

    private final class Session implements StreamObserver<AgentMessage> {
        final StreamObserver<CollectorMessage> responses;
        final List<Batch> received = new CopyOnWriteArrayList<>();
        private boolean closed;

        Session(StreamObserver<CollectorMessage> responses) {
            this.responses = responses;
        }

        @Override
        public void onNext(AgentMessage m) {
            if (m.hasHello()) {
                hellos.add(m.getHello());
                send(CollectorMessage.newBuilder()
                        .setWelcome(Welcome.newBuilder()
                                .setLastStoredSeq(welcomeSeq.get())
                                .setCollectorId("test"))
                        .build());
            } else if (m.hasBatch()) {
                received.add(m.getBatch());
                if (m.getBatch().getSeq() <= ackUpTo.get()) {
                    send(CollectorMessage.newBuilder()
                            .setAck(Ack.newBuilder().setSeq(m.getBatch().getSeq()))
                            .build());
                }
            }
        }

        private synchronized void send(CollectorMessage m) {
            if (!closed) responses.onNext(m);
        }

        synchronized void fail() {
            if (!closed) {
                closed = true;
                responses.onError(Status.UNAVAILABLE
                        .withDescription("test collector dropped the stream")
                        .asRuntimeException());
            }
            open.remove(this);
        }

        @Override
        public synchronized void onError(Throwable t) {
            closed = true;
            open.remove(this);
        }

        @Override
        public synchronized void onCompleted() {
            if (!closed) {
                closed = true;
                responses.onCompleted();
            }
            open.remove(this);
        }
    }
}
