package io.redwatch.collector.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.collector.Collector;
import io.redwatch.collector.CollectorMainAccess;
import io.redwatch.collector.config.CollectorConfig;
import io.redwatch.collector.testing.FreshDatabase;
import io.redwatch.collector.testing.LogCapture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bind rule: loopback runs on flags alone; any other address refuses to start (exit 2, naming
 * the config to add) until TLS, agent tokens and an API token are configured, or --insecure is given.
 * Only listening sockets are opened on 0.0.0.0; the tests connect to nothing.
 */
class ExposureIT {
    @TempDir
    Path dir;

    record Run(int exit, String err) {}

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        var cl = CollectorMainAccess.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        return new Run(cl.execute(args), err.toString());
    }

    @Test
    void aNonLoopbackBindWithoutProtectionRefusesToStart() {
        // The database is never reached: the rule is checked before anything is opened.
        Run r = run(
                "run",
                "--bind",
                "0.0.0.0",
                "--grpc-port",
                "0",
                "--http-port",
                "0",
                "--db-url",
                "jdbc:postgresql://127.0.0.1:1/never_used");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("refusing to listen on 0.0.0.0"), r.err());
        assertTrue(r.err().contains("tls: {cert_file:"), "says what to configure: " + r.err());
        assertTrue(r.err().contains("http: {api_token_file:"), r.err());
        assertTrue(r.err().contains("--insecure"), r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
    }

    @Test
    void agentTokensTurnedOffAreNamedToo() throws Exception {
        Path yaml = dir.resolve("collector.yaml");
        Files.writeString(yaml, "bind: 0.0.0.0\nauth: {agent_tokens: off}\n");
        Run r = run("run", "--config", yaml.toString(), "--db-url", "jdbc:postgresql://127.0.0.1:1/never_used");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("auth: {agent_tokens: required}"), r.err());
    }

    @Test
    void loopbackNeedsNothing() {
        CollectorConfig c = CollectorConfig.load(null, CollectorConfig.Overrides.none());
        assertFalse(c.security().agentTokensRequired(), "the quick start runs without tokens");
        ExposureRule.check(c);
        ExposureRule.check(
                CollectorConfig.load(null, new CollectorConfig.Overrides("127.0.0.2", null, null, null, null, null)));
        ExposureRule.check(
                CollectorConfig.load(null, new CollectorConfig.Overrides("::1", null, null, null, null, null)));
        assertTrue(
                CollectorConfig.load(null, new CollectorConfig.Overrides("0.0.0.0", null, null, null, null, null, true))
                        .security()
                        .agentTokensRequired(),
                "beyond loopback tokens are required unless turned off");
    }

    @Test
    void insecureStartsAndSaysSoLoudly() {
        try (FreshDatabase db = FreshDatabase.reserve("exposure_it");
                LogCapture log = new LogCapture("io.redwatch.collector")) {
            CollectorConfig cfg = CollectorConfig.load(
                    null, new CollectorConfig.Overrides("0.0.0.0", 0, 0, db.url(), FreshDatabase.USER, null, true));
            try (Collector c = new Collector(cfg)) {
                c.start();
                assertTrue(c.grpcPort() > 0);
            }
            assertEquals(1, LogCapture.count(log.lines(), "INSECURE: listening on 0.0.0.0"), log.text());
            assertTrue(log.text().contains("tls: {cert_file:"), log.text());
        }
    }
}
