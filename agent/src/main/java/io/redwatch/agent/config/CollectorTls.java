package io.redwatch.agent.config;

import java.nio.file.Path;

/**
 * {@code collector.tls}: how the agent verifies the collector and, for mutual TLS, proves itself.
 *
 * @param caFile     PEM of the CA that signed the collector's certificate (null: the JDK's trust store)
 * @param certFile   PEM client certificate chain, with keyFile, when the collector requires client certificates
 * @param keyFile    PEM PKCS#8 key of certFile
 * @param serverName the name to verify in the collector's certificate when it differs from the address's host
 */
public record CollectorTls(boolean enabled, Path caFile, Path certFile, Path keyFile, String serverName) {

    public static CollectorTls off() {
        return new CollectorTls(false, null, null, null, null);
    }

    @Override
    public String toString() {
        return enabled ? "TLS" + (certFile != null ? " with client certificate" : "") : "plaintext";
    }
}
