package io.redwatch.collector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.common.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Behind a TCP load balancer that hides the agents' addresses, the per-address bound must be raised. */
class ConnectionsPerAddressTest {
    @TempDir
    Path dir;

    private CollectorConfig load(String yaml) throws IOException {
        Path file = dir.resolve("collector.yaml");
        Files.writeString(file, yaml);
        return CollectorConfig.load(file, CollectorConfig.Overrides.none());
    }

    @Test
    void defaultsTo1024AndCanBeRaisedForALoadBalancer() throws IOException {
        assertEquals(
                1024,
                CollectorConfig.load(null, CollectorConfig.Overrides.none()).connectionsPerAddress());
        assertEquals(20_000, load("connections_per_address: 20000\n").connectionsPerAddress());
    }

    @Test
    void zeroIsRefusedWithWhatToSet() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("connections_per_address: 0\n"));
        assertTrue(
                e.getMessage().contains("connections_per_address")
                        && e.getMessage().contains("load balancer"),
                e.getMessage());
    }
}
