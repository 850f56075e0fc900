package io.redwatch.collector.ingest;

import io.grpc.Grpc;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import java.net.SocketAddress;
import java.util.logging.Logger;

/**
 * Streams gRPC itself closes before the ingest code sees a message — one over the size limit
 * (RESOURCE_EXHAUSTED) — are counted here and logged once per peer address per interval (a client
 * that retries a huge message in a loop is one line, not a storm). Other streams keep being served.
 */
public final class RefusedStreamLog extends ServerStreamTracer.Factory {
    /** Logs every deframing failure (an oversized message) with a stack trace; this class says it in one line. */
    private static final Logger GRPC_DEFRAME_LOG = Logger.getLogger("io.grpc.netty.NettyServerStream");

    private final IngestMetrics metrics;
    private final int maxMessageBytes;
    private final RefusalLog refusals;
    /**
     * A stream's first message is its hello: a few short strings. gRPC would buffer up to the
     * message limit (16 MiB) of it before the service could judge it; this stops at 64 KiB.
     */
    public static final int MAX_FIRST_MESSAGE_BYTES = 64 << 10;

    private static final String FIRST_TOO_LARGE = "first message over 64 KiB: a hello is small";

    public RefusedStreamLog(IngestMetrics metrics, int maxMessageBytes, RefusalLog refusals) {
        this.refusals = refusals;
        GRPC_DEFRAME_LOG.setLevel(java.util.logging.Level.SEVERE);
        this.metrics = metrics;
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public ServerStreamTracer newServerStreamTracer(String fullMethodName, io.grpc.Metadata headers) {
        return new ServerStreamTracer() {
            private volatile SocketAddress peer;
            /** Body bytes of the first message read so far; -1 once it was read whole. */
            private long firstMessageBytes;

            /**
             * Called by gRPC's deframer, on the stream's transport thread, as body bytes are read:
             * throwing here makes the deframer fail this stream (and no other) before the rest arrives.
             */
            @Override
            public void inboundWireSize(long bytes) {
                if (firstMessageBytes < 0) return;
                firstMessageBytes += bytes;
                if (firstMessageBytes > MAX_FIRST_MESSAGE_BYTES) {
                    firstMessageBytes = -1;
                    throw Status.RESOURCE_EXHAUSTED
                            .withDescription(FIRST_TOO_LARGE)
                            .asRuntimeException();
                }
            }

            @Override
            public void inboundMessageRead(int seqNo, long wireSize, long uncompressedSize) {
                firstMessageBytes = -1;
            }

            @Override
            public void serverCallStarted(ServerCallInfo<?, ?> info) {
                peer = info.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
            }

            @Override
            public void streamClosed(Status status) {
                // grpc-java's own size check; other RESOURCE_EXHAUSTED closes (connection limit) are counted where they
                // happen
                if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED
                        && status.getDescription() != null
                        && (status.getDescription().contains("exceeds maximum size")
                                || status.getDescription().contains(FIRST_TOO_LARGE))) {
                    metrics.streamsTooLarge.incrementAndGet();
                    String from = peer instanceof java.net.InetSocketAddress inet && inet.getAddress() != null
                            ? inet.getAddress().getHostAddress()
                            : String.valueOf(peer);
                    refusals.log(
                            java.util.logging.Level.WARNING,
                            from,
                            "too large",
                            () -> "agent stream from " + from
                                    + (status.getDescription().contains(FIRST_TOO_LARGE)
                                            ? " sent a first message larger than 64 KiB (a hello is a few short strings"
                                            : " sent a message larger than " + (maxMessageBytes >> 20) + " MiB ("
                                                    + status.getDescription())
                                    + "); that stream was closed with RESOURCE_EXHAUSTED, other agents are unaffected. A redwatch agent"
                                    + " cuts batches at 1 MiB: is this a redwatch agent?");
                }
            }
        };
    }
}
