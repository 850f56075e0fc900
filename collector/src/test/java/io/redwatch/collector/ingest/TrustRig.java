package io.redwatch.collector.ingest;

import io.redwatch.agent.Agent;
import io.redwatch.agent.config.AgentConfig;
import io.redwatch.agent.config.AgentConfigLoader;
import io.redwatch.agent.shipping.Shipper;
import io.redwatch.collector.Collector;
import io.redwatch.collector.config.CollectorConfig;
import io.redwatch.collector.security.AgentTokens;
import io.redwatch.collector.security.IngestLimits;
import io.redwatch.collector.testing.FreshDatabase;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.Record;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * An in-process collector with agent tokens required, on a fresh PostgreSQL database, with small
 * ingest limits (12 connections per address, token re-check every second), plus what the attack
 * tests need around it: tokens, real agents, SQL.
 */
final class TrustRig implements AutoCloseable {
    static final Shipper.Settings FAST = new Shipper.Settings(100, 1 << 20, 8, 100, 400, 10_000, 50);
    static final IngestLimits LIMITS = new IngestLimits(
            12,
            10_000,
            2,
            Duration.ofHours(4),
            Duration.ofSeconds(30),
            Duration.ofSeconds(1),
            IngestLimits.DEFAULT_INFLIGHT_BYTES);

    final FreshDatabase db;
    final Collector collector;
    final AgentTokens tokens;
    private final Path dir;

    TrustRig(Path dir, String name) throws IOException {
        this(dir, name, LIMITS);
    }

    TrustRig(Path dir, String name, IngestLimits limits) throws IOException {
        this.dir = dir;
        db = FreshDatabase.reserve(name);
        Path yaml = dir.resolve("collector.yaml");
        Files.writeString(
                yaml,
                String.join(
                        "\n",
                        "bind: 127.0.0.1",
                        "database: {url: '" + db.url() + "', user: " + FreshDatabase.USER + "}",
                        "auth: {agent_tokens: required}",
                        ""));
        collector = new Collector(
                CollectorConfig.load(yaml, new CollectorConfig.Overrides(null, 0, 0, null, null, null)), limits);
        collector.start();
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(db.url());
        ds.setUser(FreshDatabase.USER);
        tokens = new AgentTokens(ds);
    }

    int port() {
        return collector.grpcPort();
    }

    IngestMetrics metrics() {
        return collector.metrics();
    }

    /** A real agent watching {@code redisPort} as host {@code host}. */
    Agent agent(String agentId, String token, String host, int redisPort) throws IOException {
        Path tokenFile = dir.resolve(agentId + "-" + UUID.randomUUID() + ".token");
        Files.writeString(tokenFile, token + "\n");
        Path yaml = dir.resolve(agentId + "-" + UUID.randomUUID() + ".yaml");
        Files.writeString(
                yaml,
                "agent_id: " + agentId + "\n"
                        + "interval: 200ms\n"
                        + "state_dir: " + dir.resolve("state-" + UUID.randomUUID()) + "\n"
                        + "collector:\n"
                        + "  address: 127.0.0.1:" + port() + "\n"
                        + "  token_file: " + tokenFile + "\n"
                        + "redis:\n"
                        + "  - url: redis://127.0.0.1:" + redisPort + "\n");
        AgentConfig cfg = AgentConfigLoader.load(yaml, AgentConfigLoader.Overrides.none(), host);
        return new Agent(cfg, "trust-it", FAST);
    }

    static Record ping(String instance, long tsMs, String reply) {
        int colon = instance.lastIndexOf(':');
        return Record.newBuilder()
                .setPing(PingResult.newBuilder()
                        .setRef(InstanceRef.newBuilder()
                                .setInstance(instance)
                                .setHost(instance.substring(0, colon))
                                .setPort(Integer.parseInt(instance.substring(colon + 1))))
                        .setTsMs(tsMs)
                        .setOutcome(PingResult.Outcome.ERROR_REPLY)
                        .setReply(reply))
                .build();
    }

    static Batch batch(long seq, Record... records) {
        Batch.Builder b = Batch.newBuilder().setSeq(seq).setCreatedMs(System.currentTimeMillis());
        for (Record r : records) b.addRecords(r);
        return b.build();
    }

    long count(String sql, Object... params) throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    String text(String sql, Object... params) throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    long lastSeq(String agentId) throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement("SELECT last_seq FROM agents WHERE agent_id = ?")) {
            ps.setString(1, agentId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    @Override
    public void close() {
        collector.close();
        db.close();
    }
}
