package io.redwatch.collector.security;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.redwatch.collector.config.SecurityConfig;
import io.redwatch.common.config.ConfigException;
import java.io.IOException;

/** The agents' port's TLS: grpc-java's TlsServerCredentials over Netty with the JDK's TLS (no tcnative). */
public final class ServerTls {
    private ServerTls() {}

    public static ServerCredentials credentials(SecurityConfig.Tls tls) {
        try {
            TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder()
                    .keyManager(tls.certFile().toFile(), tls.keyFile().toFile());
            if (tls.mutual()) {
                b.trustManager(tls.clientCaFile().toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
            }
            return b.build();
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("tls: cannot use cert_file " + tls.certFile() + " / key_file " + tls.keyFile()
                    + (tls.mutual() ? " / client_ca_file " + tls.clientCaFile() : "") + ": " + e.getMessage()
                    + "; both must be PEM, the key unencrypted PKCS#8 ('BEGIN PRIVATE KEY'; convert with"
                    + " `openssl pkcs8 -topk8 -nocrypt -in old.key -out server.key`)");
        }
    }
}
