package io.redwatch.agent.shipping;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.redwatch.agent.config.CollectorTls;
import io.redwatch.agent.netty.SharedEventLoop;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The transport to the collector: plaintext, TLS, or mutual TLS, with grpc-java's Netty and the JDK's TLS. */
public final class CollectorChannel {
    private CollectorChannel() {
    }

    public static NettyChannelBuilder builder(String target, CollectorTls tls) {
        // The agent's one event loop, shared with Lettuce; gRPC then also schedules its own timers
        // (keepalive, idle, backoff) on it instead of starting a grpc-timer thread.
        NettyChannelBuilder b = NettyChannelBuilder.forTarget(target, credentials(tls))
                .eventLoopGroup(SharedEventLoop.group())
                .channelType(NioSocketChannel.class);
        if (tls.enabled() && tls.serverName() != null && !tls.serverName().isBlank()) {
            b.overrideAuthority(tls.serverName()); // the certificate's name is checked against this
        }
        return b;
    }

    static ChannelCredentials credentials(CollectorTls tls) {
        if (!tls.enabled()) return InsecureChannelCredentials.create();
        try {
            TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
            if (tls.caFile() != null) b.trustManager(tls.caFile().toFile());
            if (tls.certFile() != null) b.keyManager(tls.certFile().toFile(), tls.keyFile().toFile());
            return b.build();
        } catch (IOException e) {
            throw new UncheckedIOException("collector.tls: cannot read ca_file " + tls.caFile()
                    + (tls.certFile() == null ? "" : " / cert_file " + tls.certFile() + " / key_file " + tls.keyFile())
                    + ": " + e.getMessage() + "; they must be PEM, the key unencrypted PKCS#8", e);
        }
    }
}
