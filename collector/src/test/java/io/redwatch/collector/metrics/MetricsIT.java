package io.redwatch.collector.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.Agent;
import io.redwatch.agent.config.AgentConfig;
import io.redwatch.agent.config.RedisTarget;
import io.redwatch.agent.shipping.Shipper;
import io.redwatch.agent.testing.Await;
import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.collector.Collector;
import io.redwatch.collector.config.CollectorConfig;
import io.redwatch.collector.testing.FreshDatabase;
import io.redwatch.common.config.Secret;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /metrics of a collector fed by a real agent watching a real redis-server and a port where no
 * Redis answers, whose alert emails go to an SMTP server that is down: the agent's self-report
 * arrives per agent, the store and diagnosis histograms count, and the outbox shows the pages that
 * cannot go out — what redwatch's own Prometheus rules alert on.
 */
class MetricsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** name{labels} value — the exposition format's sample line. */
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\.)*\",?)*})? (\\S+)");

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static FreshDatabase db;
    static Collector collector;
    static RedisServerProcess redis;
    static Agent agent;
    static int deadPort;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        db = FreshDatabase.reserve("metrics_it");
        int smtpDown;
        try (ServerSocket a = new ServerSocket(0);
                ServerSocket b = new ServerSocket(0)) {
            smtpDown = a.getLocalPort();
            deadPort = b.getLocalPort();
        }
        Path yaml = dir.resolve("collector.yaml");
        Files.writeString(
                yaml,
                String.join(
                        "\n",
                        "alerting:",
                        "  email:",
                        "    smtp: {host: 127.0.0.1, port: " + smtpDown + ", starttls: none}",
                        "    from: redwatch@example.org",
                        "    to: [oncall@example.org]",
                        "  routes: {critical: [email], warning: [email]}",
                        "  group_wait: 1s",
                        "  dispatch_interval: 200ms",
                        ""));
        collector = new Collector(CollectorConfig.load(
                yaml, new CollectorConfig.Overrides(null, 0, 0, db.url(), FreshDatabase.USER, null)));
        collector.start();
        redis = RedisServerProcess.start();
        List<RedisTarget> targets = new ArrayList<>();
        for (int port : new int[] {redis.port(), deadPort}) {
            targets.add(RedisTarget.of(
                    "redis://127.0.0.1:" + port,
                    "",
                    "metrics-host",
                    "",
                    Secret.none(),
                    null,
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(1),
                    "redis"));
        }
        AgentConfig cfg = new AgentConfig(
                        "metrics-agent",
                        "metrics-host",
                        "127.0.0.1:" + collector.grpcPort(),
                        Secret.none(),
                        Duration.ofMillis(500),
                        Duration.ofSeconds(1),
                        Duration.ofMillis(200),
                        Files.createTempDirectory(dir, "agent"),
                        Path.of("/proc"),
                        Path.of("/sys"),
                        targets)
                .validate();
        agent = new Agent(cfg, "it", new Shipper.Settings(500, 1 << 20, 8, 100, 1000, 10_000, 100));
        agent.start();
    }

    @AfterAll
    static void stop() {
        if (agent != null) agent.close();
        if (redis != null) redis.close();
        if (collector != null) collector.close();
        if (db != null) db.close();
    }

    @Test
    void collectorAndAgentHealthAreScrapable() throws Exception {
        String text = awaitMetrics(m -> value(m, "redwatch_agent_spool_batches{agent_id=\"metrics-agent\"}") != null
                && value(
                                m,
                                "redwatch_agent_last_sample_timestamp_seconds{agent_id=\"metrics-agent\",instance=\"metrics-host:"
                                        + redis.port() + "\"}")
                        > 0
                && value(m, "redwatch_outbox_pending") != null
                && value(m, "redwatch_outbox_pending") + value(m, "redwatch_outbox_failed_total") >= 1
                && value(m, "redwatch_outbox_oldest_pending_age_seconds") > 0);

        wellFormed(text);
        // The agent's self-report, per agent.
        assertTrue(
                value(text, "redwatch_agent_resident_memory_bytes{agent_id=\"metrics-agent\"}") > 10e6,
                "the agent's RSS");
        assertTrue(value(text, "redwatch_agent_spool_bytes{agent_id=\"metrics-agent\"}") >= 0);
        assertEquals(0.0, value(text, "redwatch_agent_gaps_total{agent_id=\"metrics-agent\"}"));
        assertEquals(
                0.0,
                value(
                        text,
                        "redwatch_agent_last_sample_timestamp_seconds{agent_id=\"metrics-agent\",instance=\"metrics-host:"
                                + deadPort + "\"}"),
                "an instance that never answered has no successful sample");
        double reported = value(text, "redwatch_agent_report_timestamp_seconds{agent_id=\"metrics-agent\"}");
        assertTrue(Math.abs(reported - System.currentTimeMillis() / 1000.0) < 60, "reported recently: " + reported);
        // The collector's own latencies and state.
        assertTrue(value(text, "redwatch_ingest_store_seconds_count") > 0);
        assertTrue(value(text, "redwatch_ingest_store_seconds_bucket{le=\"+Inf\"}")
                >= value(text, "redwatch_ingest_store_seconds_bucket{le=\"0.001\"}"));
        assertTrue(value(text, "redwatch_diagnosis_round_seconds_count") > 0);
        assertTrue(value(text, "redwatch_diagnosis_evaluations_total") > 0);
        assertEquals(2.0, value(text, "redwatch_diagnosis_instances_watched"));
        assertEquals(0.0, value(text, "redwatch_diagnosis_windows_waiting_for_refill"));
        assertTrue(text.contains("# TYPE redwatch_alert_dispatch_delay_seconds histogram"), text);

        // The shipped Prometheus rules ask for series this collector exposes (a renamed metric would
        // leave a rule silently never firing).
        Matcher names = Pattern.compile("redwatch_[a-z0-9_]+")
                .matcher(String.join(
                        "\n",
                        Files.readAllLines(Path.of("..", "deploy", "prometheus", "redwatch-rules.yml")).stream()
                                .filter(l -> l.strip().startsWith("expr:"))
                                .toList()));
        int checked = 0;
        while (names.find()) {
            assertTrue(
                    Pattern.compile("(?m)^" + names.group() + "[{ ]")
                            .matcher(text)
                            .find(),
                    "deploy/prometheus/redwatch-rules.yml uses " + names.group() + ", which /metrics does not expose");
            checked++;
        }
        assertTrue(checked >= 8, "the rules were read: " + checked);
    }

    /** Every line a comment or a sample; a TYPE for every family; no family declared twice. */
    private static void wellFormed(String text) {
        Set<String> types = new HashSet<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                assertTrue(types.add(line.split(" ")[2]), "declared twice: " + line);
            } else if (!line.startsWith("# HELP ")) {
                Matcher m = SAMPLE.matcher(line);
                assertTrue(m.matches(), "not a sample line: '" + line + "'");
                String family = m.group(1).replaceFirst("_(bucket|sum|count)$", "");
                assertTrue(types.contains(m.group(1)) || types.contains(family), "no TYPE before " + line);
                Double.parseDouble(m.group(3).replace("+Inf", "Infinity"));
            }
        }
    }

    private static Double value(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1));
        }
        return null;
    }

    /** The /metrics text once {@code ready} holds; a series not there yet (NullPointerException) is polled again. */
    private static String awaitMetrics(Predicate<String> ready) {
        String[] last = {""};
        return Await.value(
                "/metrics as expected",
                WAIT,
                () -> {
                    HttpResponse<String> r = HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + collector.httpPort() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, r.statusCode());
                    last[0] = r.body();
                    return ready.test(last[0]) ? last[0] : null;
                },
                () -> "\n" + last[0]);
    }
}
