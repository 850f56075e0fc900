package io.redwatch.collector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.redwatch.collector.rules.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example an operator copies (deploy/config/collector.yaml) must load as documented. */
class ExampleConfigTest {
    @TempDir
    Path dir;

    @Test
    void theShippedExampleLoads() throws IOException {
        String example = Files.readString(Path.of("..", "deploy", "config", "collector.yaml"));
        // Only the secret file's location is machine-specific.
        Path password = Files.writeString(dir.resolve("db.pass"), "secret\n");
        Path copy = Files.writeString(
                dir.resolve("collector.yaml"), example.replace("/etc/redwatch/db.pass", password.toString()));

        CollectorConfig c = CollectorConfig.load(copy, CollectorConfig.Overrides.none());

        assertEquals(7400, c.grpcPort());
        assertEquals("secret", c.dbPassword().reveal());
        assertNotNull(c.alerting().email());
        assertEquals(List.of("email", "sms"), c.alerting().channelsFor(Severity.CRITICAL));
        assertEquals(Duration.ofHours(1), c.thresholds().fullResyncWindow());
        assertEquals(64, c.thresholds().pipeFds());
    }
}
