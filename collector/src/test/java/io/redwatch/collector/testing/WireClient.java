package io.redwatch.collector.testing;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.redwatch.proto.v1.AgentMessage;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.CollectorMessage;
import io.redwatch.proto.v1.Hello;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client that speaks the agent protocol byte by byte, as an attacker or a broken agent would: any
 * metadata, any hello, any sequence number, any bytes. One stream per instance.
 */
public final class WireClient implements AutoCloseable {
    public static final Metadata.Key<byte[]> AGENT_ID =
            Metadata.Key.of("redwatch-agent-id-bin", Metadata.BINARY_BYTE_MARSHALLER);
    public static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    };
    private static final MethodDescriptor<byte[], byte[]> STREAM = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
            .setFullMethodName("redwatch.v1.Ingest/Stream")
            .setRequestMarshaller(RAW)
            .setResponseMarshaller(RAW)
            .build();

    private final ManagedChannel channel;
    private final boolean ownChannel;
    private final ClientCall<byte[], byte[]> call;
    public final LinkedBlockingQueue<CollectorMessage> received = new LinkedBlockingQueue<>();
    public final CompletableFuture<Status> closed = new CompletableFuture<>();

    public static ManagedChannel channel(int port) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .maxInboundMessageSize(1 << 20)
                .build();
    }

    /** A stream on its own connection; agentId or token null: that header is not sent. */
    public WireClient(int port, String agentId, String token) {
        this(channel(port), true, agentId, token);
    }

    /** A stream on a shared connection. */
    public WireClient(ManagedChannel channel, String agentId, String token) {
        this(channel, false, agentId, token);
    }

    private WireClient(ManagedChannel channel, boolean ownChannel, String agentId, String token) {
        this.channel = channel;
        this.ownChannel = ownChannel;
        Metadata headers = new Metadata();
        if (agentId != null) headers.put(AGENT_ID, agentId.getBytes(StandardCharsets.UTF_8));
        if (token != null) headers.put(AUTHORIZATION, "Bearer " + token);
        call = channel.newCall(STREAM, CallOptions.DEFAULT);
        call.start(
                new ClientCall.Listener<>() {
                    @Override
                    public void onMessage(byte[] message) {
                        try {
                            received.add(CollectorMessage.parseFrom(message));
                        } catch (IOException e) {
                            throw new IllegalStateException(
                                    "the collector sent bytes that are not a CollectorMessage", e);
                        }
                        call.request(1);
                    }

                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        closed.complete(status);
                    }
                },
                headers);
        call.request(1);
    }

    public WireClient sendBytes(byte[] bytes) {
        synchronized (call) {
            call.sendMessage(bytes);
        }
        return this;
    }

    public WireClient send(AgentMessage m) {
        return sendBytes(m.toByteArray());
    }

    public WireClient hello(String agentId, int intervalMs) {
        return send(AgentMessage.newBuilder()
                .setHello(Hello.newBuilder()
                        .setAgentId(agentId)
                        .setHostname("wire-host")
                        .setVersion("wire-test")
                        .setIntervalMs(intervalMs))
                .build());
    }

    public WireClient batch(Batch b) {
        return send(AgentMessage.newBuilder().setBatch(b).build());
    }

    /** The next message from the collector, or null once the stream closed without one within 20 s. */
    public CollectorMessage next() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            CollectorMessage m = received.poll(50, TimeUnit.MILLISECONDS);
            if (m != null) return m;
            if (closed.isDone() && received.isEmpty()) return null;
        }
        throw new AssertionError("no message from the collector within 20 s");
    }

    public Status status() throws Exception {
        return closed.get(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (!closed.isDone()) call.cancel("test done", null);
        if (ownChannel) channel.shutdownNow();
    }
}
