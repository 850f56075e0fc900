package io.redwatch.collector.security;

import io.redwatch.collector.config.CollectorConfig;
import io.redwatch.common.config.ConfigException;
import java.util.List;
import java.util.logging.Logger;

/**
 * A collector listening beyond loopback must have TLS, agent tokens and an API token, or be told
 * {@code --insecure}: anyone who can reach the port could otherwise write data as any agent and read
 * and silence every alert.
 */
public final class ExposureRule {
    private static final Logger LOG = Logger.getLogger(ExposureRule.class.getName());

    private ExposureRule() {}

    /** Throws (exit 2) when {@code config} is exposed and unprotected; logs a loud warning when it is so on purpose. */
    public static void check(CollectorConfig config) {
        if (CollectorConfig.isLoopback(config.bind())) return;
        List<String> missing = config.security().missingForExposure();
        if (missing.isEmpty()) return;
        if (config.security().insecure()) {
            LOG.warning("INSECURE: listening on " + config.bind() + " (not loopback) without "
                    + String.join(", ", names(missing))
                    + " because of --insecure / insecure: true. Anyone who can reach ports " + config.grpcPort()
                    + " and "
                    + config.httpPort() + " can send data as any agent and read or silence alerts. Configure: "
                    + String.join("; ", missing));
            return;
        }
        throw new ConfigException(
                "refusing to listen on " + config.bind() + ", which is not a loopback address, without "
                        + String.join(", ", names(missing)) + ". Add to collector.yaml: " + String.join("; ", missing)
                        + ". Or bind 127.0.0.1 (--bind 127.0.0.1), or accept the risk with --insecure (insecure: true).");
    }

    private static List<String> names(List<String> missing) {
        List<String> names = missing.stream()
                .map(m -> m.startsWith("tls") ? "TLS" : m.startsWith("auth") ? "agent tokens" : "an API token")
                .toList();
        if (names.size() < 2) return names;
        return List.of(String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1));
    }
}
