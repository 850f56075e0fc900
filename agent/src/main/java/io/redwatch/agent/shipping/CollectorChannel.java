package io.redwatch.agent.shipping;

import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.InsecureChannelCredentials;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.redwatch.agent.config.CollectorTls;
import io.redwatch.agent.netty.SharedEventLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The transport to the collector: plaintext, TLS, or mutual TLS, with grpc-java's Netty and the JDK's TLS. */
public final class CollectorChannel {
    private CollectorChannel() {}

    /**
     * Where gRPC runs blocking work (the DNS lookup of the target) instead of its shared default
     * pool: one thread, started when needed and gone after 10 s idle. gRPC names its pool's threads
     * through Guava's ThreadFactoryBuilder, whose String.format loads the JDK's locale data, which
     * the agent then keeps for its whole life (issue 11). Never the event loop: a lookup blocks.
     */
    private static final class Offload {
        static final ThreadPoolExecutor EXECUTOR =
                new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "redwatch-grpc-offload");
                    t.setDaemon(true);
                    return t;
                });

        static {
            EXECUTOR.allowCoreThreadTimeOut(true);
        }
    }

    public static NettyChannelBuilder builder(String target, CollectorTls tls) {
        // The agent's one event loop, shared with Lettuce; gRPC then also schedules its own timers
        // (keepalive, idle, backoff) on it instead of starting a grpc-timer thread.
        NettyChannelBuilder b = NettyChannelBuilder.forTarget(target, credentials(tls))
                .eventLoopGroup(SharedEventLoop.group())
                .channelType(NioSocketChannel.class)
                .offloadExecutor(Offload.EXECUTOR);
        if (tls.enabled() && tls.serverName() != null && !tls.serverName().isBlank()) {
            b.overrideAuthority(tls.serverName()); // the certificate's name is checked against this
        }
        return b;
    }

    /**
     * The agent's id and token as call metadata, so the collector authenticates the call before it
     * reads a single message (a token inside the hello would be read, and buffered, first).
     */
    public static ClientInterceptor identity(String agentId, String token) {
        Metadata headers = new Metadata();
        // binary ("-bin"): an agent id may be any printable text, not only ASCII
        headers.put(
                Metadata.Key.of("redwatch-agent-id-bin", Metadata.BINARY_BYTE_MARSHALLER),
                agentId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (token != null && !token.isEmpty()) {
            headers.put(
                    Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + asciiOnly(token));
        }
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    /** A token is base64url; anything else would not pass as ASCII metadata (the collector then says the token is wrong). */
    private static String asciiOnly(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }

    static ChannelCredentials credentials(CollectorTls tls) {
        if (!tls.enabled()) return InsecureChannelCredentials.create();
        try {
            TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
            if (tls.caFile() != null) b.trustManager(tls.caFile().toFile());
            if (tls.certFile() != null)
                b.keyManager(tls.certFile().toFile(), tls.keyFile().toFile());
            return b.build();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "collector.tls: cannot read ca_file " + tls.caFile()
                            + (tls.certFile() == null
                                    ? ""
                                    : " / cert_file " + tls.certFile() + " / key_file " + tls.keyFile())
                            + ": " + e.getMessage() + "; they must be PEM, the key unencrypted PKCS#8",
                    e);
        }
    }
}
