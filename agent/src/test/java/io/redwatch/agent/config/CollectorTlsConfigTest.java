package io.redwatch.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.common.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code collector.tls} in agent.yaml: paths next to the config, checked at load, pairs kept together. */
class CollectorTlsConfigTest {
    @TempDir
    Path dir;

    private AgentConfig load(String collectorSection) throws IOException {
        Path f = dir.resolve("agent.yaml");
        Files.writeString(
                f,
                "collector:\n  address: 127.0.0.1:7400\n" + collectorSection
                        + "redis:\n  - url: redis://127.0.0.1:6390\n");
        return AgentConfigLoader.load(f, AgentConfigLoader.Overrides.none(), "h");
    }

    @Test
    void noTlsSectionIsPlaintext() throws IOException {
        assertFalse(load("").tls().enabled());
    }

    @Test
    void relativeFilesAreNextToTheConfig() throws IOException {
        Files.writeString(dir.resolve("ca.crt"), "x");
        Files.writeString(dir.resolve("agent.crt"), "x");
        Files.writeString(dir.resolve("agent.key"), "x");
        CollectorTls t = load("  tls: {enabled: true, ca_file: ca.crt, cert_file: agent.crt, key_file: agent.key,"
                        + " server_name: collector.example.org}\n")
                .tls();
        assertTrue(t.enabled());
        assertEquals(dir.resolve("ca.crt").toAbsolutePath(), t.caFile());
        assertEquals(dir.resolve("agent.key").toAbsolutePath(), t.keyFile());
        assertEquals("collector.example.org", t.serverName());
    }

    @Test
    void enabledAloneTrustsTheJdkStore() throws IOException {
        CollectorTls t = load("  tls: {enabled: true}\n").tls();
        assertTrue(t.enabled());
        assertNull(t.caFile());
        assertNull(t.serverName());
    }

    @Test
    void aMissingFileIsRefusedAtLoad() {
        ConfigException e =
                assertThrows(ConfigException.class, () -> load("  tls: {enabled: true, ca_file: nowhere.crt}\n"));
        assertTrue(
                e.getMessage().contains("collector.tls.ca_file")
                        && e.getMessage().contains("nowhere.crt"),
                e.getMessage());
    }

    @Test
    void aCertificateNeedsItsKey() throws IOException {
        Files.writeString(dir.resolve("agent.crt"), "x");
        ConfigException e =
                assertThrows(ConfigException.class, () -> load("  tls: {enabled: true, cert_file: agent.crt}\n"));
        assertTrue(e.getMessage().contains("cert_file and key_file go together"), e.getMessage());
    }

    @Test
    void misspeltTlsKeyIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("  tls: {enabled: true, ca_fiel: x}\n"));
        assertTrue(e.getMessage().contains("collector.tls.ca_fiel"), e.getMessage());
    }
}
