package io.redwatch.collector;

import com.zaxxer.hikari.HikariDataSource;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.redwatch.collector.alerting.Alerting;
import io.redwatch.collector.config.CollectorConfig;
import io.redwatch.collector.config.SecurityConfig;
import io.redwatch.collector.ingest.LenientAgentMessages;
import io.redwatch.collector.ingest.RefusedStreamLog;
import io.redwatch.collector.security.AgentTokens;
import io.redwatch.collector.security.ExposureRule;
import io.redwatch.collector.security.ServerTls;
import io.redwatch.collector.diagnosis.AgentWatch;
import io.redwatch.collector.diagnosis.FindingsSink;
import io.redwatch.collector.diagnosis.LiveDiagnosis;
import io.redwatch.collector.http.HttpApi;
import io.redwatch.collector.ingest.IngestGate;
import io.redwatch.collector.ingest.IngestMetrics;
import io.redwatch.collector.ingest.IngestService;
import io.redwatch.collector.rules.Diagnosis;
import io.redwatch.collector.storage.BatchStore;
import io.redwatch.collector.storage.Database;
import io.redwatch.collector.storage.GroupCommit;
import io.redwatch.collector.storage.UnstorableBatches;
import io.redwatch.collector.storage.PartitionMaintenance;
import io.redwatch.collector.storage.RecentHistory;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The running collector: gRPC ingest (grpc-java's Netty server: its keepalive policy, flow control
 * and TLS are mature) with group commit and backpressure, live diagnosis and alerting, and the HTTP
 * API on Vert.x, each kind of work on its own pool ({@link Pools}).
 * It keeps no state that PostgreSQL does not also hold, so several can share one database.
 */
public final class Collector implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Collector.class.getName());
    private static final long MAINTENANCE_PERIOD_MS = TimeUnit.HOURS.toMillis(1);
    private static final java.time.Duration DIAGNOSIS_WINDOW = java.time.Duration.ofHours(1);
    /** An instance is diagnosed at most this often, however often its agent ships. */
    private static final java.time.Duration EVALUATION_SPACING = java.time.Duration.ofSeconds(5);
    private static final long EVALUATION_TICK_MS = 1000;
    private static final long AGENT_CHECK_MS = 10_000;
    /** The agent cuts batches at 1 MiB; 16 MiB leaves room for one huge record and still bounds memory per stream. */
    private static final int MAX_AGENT_MESSAGE_BYTES = 16 << 20;
    /**
     * Bytes of batches read and not yet acknowledged, all agents together. A parsed batch takes several
     * times its wire size in the heap (a 200-field INFO sample is ~5 KB on the wire, ~30 KB parsed), so
     * 16 MiB on the wire is ~100 MiB of the 512 MiB heap at worst, and ~1,000 typical batches:
     * plenty to fill groups at 10,000 agents.
     */
    private static final long INFLIGHT_BUDGET_BYTES = 16L << 20;
    /**
     * HTTP/2 window per stream: what an agent may send before the collector reads. Fixed (grpc-java
     * would otherwise grow it with its bandwidth-delay estimate), so a stream the gate holds back keeps
     * at most this much in the collector's (direct) memory. Not smaller: a catch-up batch is up to
     * 1 MiB and would wait for many window updates.
     */
    private static final int STREAM_WINDOW_BYTES = 1 << 20;
    private static final int MAX_GROUP = 500;
    private static final java.time.Duration GROUP_LINGER = java.time.Duration.ofMillis(20);
    private static final int COMMIT_QUEUE = 20_000;

    private final CollectorConfig config;
    private final Vertx vertx;
    private final HikariDataSource db;
    private final HikariDataSource ingestDb;
    private final Pools pools;
    private GroupCommit commits;
    private final IngestMetrics metrics = new IngestMetrics();
    private final java.util.Map<String, AtomicBoolean> ticking = new java.util.concurrent.ConcurrentHashMap<>();
    private Alerting alerting;
    private Server grpc;
    private HttpServer http;

    public Collector(CollectorConfig config) {
        this.config = config;
        ExposureRule.check(config); // before anything is opened: an exposed, unprotected collector does not start
        // Creates the database if missing and applies the schema before anything listens.
        this.db = Database.open(config.dbUrl(), config.dbUser(), config.dbPassword().reveal(), config.dbPoolSize());
        this.ingestDb = Database.pool(config.dbUrl(), config.dbUser(), config.dbPassword().reveal(),
                Pools.INGEST_CONNECTIONS, "redwatch-ingest");
        this.vertx = Vertx.vertx();
        this.pools = new Pools(vertx, config.dbPoolSize());
    }

    public void start() {
        PartitionMaintenance maintenance = new PartitionMaintenance(db);
        runMaintenance(maintenance);
        vertx.setPeriodic(MAINTENANCE_PERIOD_MS, id -> runMaintenance(maintenance));

        String collectorId = UUID.randomUUID().toString();
        alerting = new Alerting(vertx, db, pools.alerting, config.alerting());
        FindingsSink sink = (instance, host, findings, now) -> alerting.evaluate(instance, host, findings, now);
        LiveDiagnosis live = new LiveDiagnosis(new Diagnosis(config.thresholds()), DIAGNOSIS_WINDOW, EVALUATION_SPACING, sink,
                new RecentHistory(db)::load);
        AgentWatch agents = new AgentWatch(db, config.thresholds(), sink);
        vertx.setPeriodic(EVALUATION_TICK_MS, id -> blocking(pools.diagnosis, "diagnosis",
                () -> live.evaluateDue(System.currentTimeMillis())));
        vertx.setPeriodic(AGENT_CHECK_MS, id -> blocking(pools.diagnosis, "agent_silent check",
                () -> agents.check(System.currentTimeMillis())));
        alerting.start();
        SecurityConfig security = config.security();
        BatchStore store = new BatchStore(ingestDb);
        commits = new GroupCommit(store, UnstorableBatches.KEEP_RETRYING, Pools.COMMITTERS, MAX_GROUP, GROUP_LINGER,
                COMMIT_QUEUE).start();
        IngestGate gate = new IngestGate(INFLIGHT_BUDGET_BYTES);
        metrics.watch(gate, commits.counters());
        IngestService ingest = new IngestService(store, commits, gate, pools.hellos, metrics, collectorId, live::observe,
                security.agentTokensRequired() ? new AgentTokens(ingestDb) : null);
        InetSocketAddress grpcAddress = new InetSocketAddress(config.bind(), config.grpcPort());
        try {
            grpc = (security.tls() == null ? NettyServerBuilder.forAddress(grpcAddress)
                    : NettyServerBuilder.forAddress(grpcAddress, ServerTls.credentials(security.tls())))
                    .addService(LenientAgentMessages.bind(ingest))
                    .addStreamTracerFactory(new RefusedStreamLog(metrics, MAX_AGENT_MESSAGE_BYTES))
                    // Agents ping every 30 s to detect half-open connections; allow it rather than GOAWAY them.
                    .permitKeepAliveTime(20, TimeUnit.SECONDS)
                    .permitKeepAliveWithoutCalls(true)
                    .keepAliveTime(60, TimeUnit.SECONDS)
                    .maxInboundMessageSize(MAX_AGENT_MESSAGE_BYTES)
                    .flowControlWindow(STREAM_WINDOW_BYTES)
                    .build().start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for agents on " + config.bind() + ":" + config.grpcPort()
                    + " (" + e.getMessage() + "); is another collector running? choose another --grpc-port", e);
        }
        try {
            http = new HttpApi(vertx, db, metrics).listen(config.bind(), config.httpPort(), security.apiToken(),
                            security.tls(), alerting::mountRoutes)
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot listen for HTTP on " + config.bind() + ":" + config.httpPort()
                    + " (" + e.getMessage() + "); choose another --http-port", e);
        }
        LOG.info("redwatch collector listening: agents on " + config.bind() + ":" + grpc.getPort()
                + (security.tls() == null ? " (plaintext)" : security.tls().mutual() ? " (TLS, client certificates required)" : " (TLS)")
                + ", agent tokens " + (security.agentTokensRequired() ? "required" : "off")
                + ", HTTP" + (security.tls() == null ? "" : "S") + " on " + config.bind() + ":" + http.actualPort()
                + (security.apiToken().isPresent() ? " (API token required)" : " (API open)")
                + ", database " + config.dbUrl().replaceFirst("\\?.*", "")); // a query string may hold a password
    }

    /** A timer's blocking work on its pool; a tick still running is not started again. */
    private void blocking(WorkerExecutor pool, String what, java.util.concurrent.Callable<?> work) {
        AtomicBoolean busy = ticking.computeIfAbsent(what, k -> new AtomicBoolean());
        if (!busy.compareAndSet(false, true)) return;
        pool.executeBlocking(work, false)
                .onFailure(e -> LOG.log(Level.WARNING, what + " failed (retrying on the next tick): " + e.getMessage(), e))
                .onComplete(r -> busy.set(false));
    }

    private void runMaintenance(PartitionMaintenance maintenance) {
        pools.general.executeBlocking(() -> {
            maintenance.ensurePartitions(3);
            maintenance.applyRetention(config.retentionDays());
            return null;
        }, false).onFailure(e -> LOG.log(Level.WARNING,
                "partition maintenance failed (will retry within the hour): " + e.getMessage(), e));
    }

    public int grpcPort() {
        return grpc.getPort();
    }

    public int httpPort() {
        return http.actualPort();
    }

    public IngestMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        if (alerting != null) alerting.stop();
        if (grpc != null) {
            grpc.shutdown();
            try {
                grpc.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            grpc.shutdownNow();
        }
        if (commits != null) commits.close();
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.FINE, "vert.x did not close cleanly", e);
        }
        ingestDb.close();
        db.close();
    }
}
