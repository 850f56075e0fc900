package io.redwatch.collector.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.redwatch.agent.Agent;
import io.redwatch.agent.config.AgentConfig;
import io.redwatch.agent.config.RedisTarget;
import io.redwatch.agent.shipping.Shipper;
import io.redwatch.agent.testing.Await;
import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.collector.Collector;
import io.redwatch.collector.config.CollectorConfig;
import io.redwatch.collector.rules.Severity;
import io.redwatch.collector.storage.Database;
import io.redwatch.collector.testing.FreshDatabase;
import io.redwatch.common.config.Secret;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alert delivery runs on its own pool: while the SMTP server accepts a connection and then says
 * nothing (a send hangs until send_timeout), the collector goes on storing and acknowledging an
 * agent's batches. The collector's database pool is a single thread here, so a send that held it
 * would stop ingest entirely.
 */
class SlowSmtpIT {
    private static final Logger LOG = Logger.getLogger(SlowSmtpIT.class.getName());

    @TempDir
    Path dir;

    @Test
    void aStalledSmtpServerDoesNotHoldBackIngestAcknowledgements() throws Exception {
        try (StallingSmtp smtp = new StallingSmtp();
                FreshDatabase database = FreshDatabase.create("slow_smtp_it")) {
            Path yaml = dir.resolve("collector.yaml");
            Files.writeString(
                    yaml,
                    String.join(
                            "\n",
                            "database:",
                            "  pool_size: 1",
                            "alerting:",
                            "  email:",
                            "    smtp: {host: 127.0.0.1, port: " + smtp.port() + ", starttls: none}",
                            "    from: redwatch@example.org",
                            "    to: [oncall@example.org]",
                            "  routes: {critical: [email], warning: [email]}",
                            "  group_wait: 1ms",
                            "  dispatch_interval: 200ms",
                            "  send_timeout: 2m",
                            "  lease: 5m",
                            "  timezone: UTC",
                            ""));
            CollectorConfig config = CollectorConfig.load(
                    yaml, new CollectorConfig.Overrides(null, 0, 0, database.url(), FreshDatabase.USER, null));
            Collector collector = new Collector(config);
            Vertx vertx = Vertx.vertx();
            HikariDataSource db = Database.open(database.url(), FreshDatabase.USER, "", 2);
            try {
                collector.start();
                // Another collector on the same database pages an alert; this collector's dispatcher sends it.
                AlertingConfig alerting = config.alerting();
                Alerting feeder = new Alerting(vertx, db, alerting, Alerting.channels(vertx, alerting), "feeder");
                long now = System.currentTimeMillis();
                feeder.evaluate(
                        "stall-host:1",
                        "stall-host",
                        List.of(PipelineHarness.finding("fork_enomem", Severity.CRITICAL, "stall-host:1")),
                        now);

                Await.until(
                        "the dispatcher connects to the stalled SMTP server",
                        Duration.ofSeconds(30),
                        () -> smtp.accepted() > 0);
                long stalledAt = System.nanoTime();

                try (RedisServerProcess redis = RedisServerProcess.start();
                        Agent agent = agent(collector, redis)) {
                    Await.until(
                            "batches stored and acknowledged while the send hangs",
                            Duration.ofSeconds(30),
                            () -> collector.metrics().batchesStored.get() >= 3);
                    long ms = (System.nanoTime() - stalledAt) / 1_000_000;
                    assertTrue(smtp.stillHeld(), "the SMTP connection is still hanging, so the send has not ended");
                    assertEquals(1, smtp.accepted(), "one send in flight");
                    LOG.info("3 batches stored " + ms + " ms after the SMTP send began to hang");
                }
                feeder.close();
            } finally {
                collector.close();
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                db.close();
            }
        }
    }

    private Agent agent(Collector collector, RedisServerProcess redis) throws IOException {
        RedisTarget t = RedisTarget.of(
                "redis://127.0.0.1:" + redis.port(),
                "",
                "stall-host",
                "",
                Secret.none(),
                null,
                Duration.ofSeconds(2),
                Duration.ofSeconds(2),
                "redis");
        AgentConfig cfg = new AgentConfig(
                        "stall-agent",
                        "stall-host",
                        "127.0.0.1:" + collector.grpcPort(),
                        Secret.none(),
                        Duration.ofMillis(200),
                        Duration.ofSeconds(1),
                        Duration.ofMillis(200),
                        Files.createTempDirectory(dir, "agent"),
                        Path.of("/proc"),
                        Path.of("/sys"),
                        List.of(t))
                .validate();
        Agent a = new Agent(cfg, "it", new Shipper.Settings(200, 1 << 20, 8, 100, 1000, 10_000, 100));
        a.start();
        return a;
    }

    /** Accepts SMTP connections and never answers: not even the greeting. */
    static final class StallingSmtp implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0);
        private final List<Socket> held = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        StallingSmtp() throws IOException {
            acceptor = new Thread(
                    () -> {
                        try {
                            while (true) held.add(server.accept());
                        } catch (IOException closed) {
                            // close() ends the loop
                        }
                    },
                    "stalling-smtp");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int accepted() {
            return held.size();
        }

        /** Whether the first connection is still open from the client's side. */
        boolean stillHeld() throws IOException {
            Socket s = held.get(0);
            s.setSoTimeout(1);
            try {
                return s.getInputStream().read() != -1; // -1: the client gave up and closed it
            } catch (java.net.SocketTimeoutException e) {
                return true; // nothing to read and not closed
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : held) s.close();
        }
    }
}
