package io.redwatch.collector.testing;

import io.redwatch.agent.Agent;
import io.redwatch.agent.config.AgentConfig;
import io.redwatch.agent.config.RedisTarget;
import io.redwatch.agent.shipping.Shipper;
import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.common.config.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real agent in the test's JVM, started, watching {@code servers} and their logs as host
 * {@code hostname} (agent id {@code <hostname>-agent}), sampling every 500 ms and reading logs every
 * 200 ms so that incidents reach the collector in test time.
 */
public final class FastAgent {
    private FastAgent() {}

    public static Agent start(int collectorPort, Path stateParent, String hostname, RedisServerProcess... servers) {
        List<RedisTarget> targets = new ArrayList<>();
        for (RedisServerProcess s : servers) {
            targets.add(RedisTarget.of(
                    "redis://127.0.0.1:" + s.port(),
                    "",
                    hostname,
                    "",
                    Secret.none(),
                    s.logFile(),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(2),
                    "redis"));
        }
        try {
            AgentConfig cfg = new AgentConfig(
                            hostname + "-agent",
                            hostname,
                            "127.0.0.1:" + collectorPort,
                            Secret.none(),
                            Duration.ofMillis(500),
                            Duration.ofSeconds(1),
                            Duration.ofMillis(200),
                            Files.createTempDirectory(stateParent, hostname),
                            Path.of("/proc"),
                            Path.of("/sys"),
                            targets)
                    .validate();
            Agent a = new Agent(cfg, "it", new Shipper.Settings(500, 1 << 20, 8, 100, 1000, 10_000, 100));
            a.start();
            return a;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
