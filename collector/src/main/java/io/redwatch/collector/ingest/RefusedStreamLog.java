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

            @Override
            public void serverCallStarted(ServerCallInfo<?, ?> info) {
                peer = info.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
            }

            @Override
            public void streamClosed(Status status) {
                // grpc-java's own size check; other RESOURCE_EXHAUSTED closes (connection limit) are counted where they happen
                if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED && status.getDescription() != null
                        && status.getDescription().contains("exceeds maximum size")) {
                    metrics.streamsTooLarge.incrementAndGet();
                    String from = peer instanceof java.net.InetSocketAddress inet && inet.getAddress() != null
                            ? inet.getAddress().getHostAddress() : String.valueOf(peer);
                    refusals.log(java.util.logging.Level.WARNING, from, "too large", () -> "agent stream from " + from
                            + " sent a message larger than " + (maxMessageBytes >> 20) + " MiB (" + status.getDescription()
                            + "); that stream was closed with RESOURCE_EXHAUSTED, other agents are unaffected. A redwatch agent"
                            + " cuts batches at 1 MiB: is this a redwatch agent?");
                }
            }
        };
    }
}
