package io.redwatch.collector;

import com.zaxxer.hikari.HikariDataSource;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.redwatch.collector.alerting.Alerting;
import io.redwatch.collector.config.CollectorConfig;
import io.redwatch.collector.config.SecurityConfig;
import io.redwatch.collector.diagnosis.AgentWatch;
import io.redwatch.collector.diagnosis.FindingsSink;
import io.redwatch.collector.diagnosis.LiveDiagnosis;
import io.redwatch.collector.facts.BatchFacts;
import io.redwatch.collector.http.AlertingRoutes;
import io.redwatch.collector.http.HttpApi;
import io.redwatch.collector.http.status.StatusRoutes;
import io.redwatch.collector.ingest.AgentCallAuth;
import io.redwatch.collector.ingest.BatchGate;
import io.redwatch.collector.ingest.ClockBound;
import io.redwatch.collector.ingest.IngestGate;
import io.redwatch.collector.ingest.IngestMetrics;
import io.redwatch.collector.ingest.IngestService;
import io.redwatch.collector.ingest.LenientAgentMessages;
import io.redwatch.collector.ingest.RefusalLog;
import io.redwatch.collector.ingest.RefusedStreamLog;
import io.redwatch.collector.ingest.StreamGuard;
import io.redwatch.collector.ingest.TokenRecheck;
import io.redwatch.collector.metrics.DiagnosisMetrics;
import io.redwatch.collector.metrics.DirectMemory;
import io.redwatch.collector.metrics.OutboxMetrics;
import io.redwatch.collector.rules.Diagnosis;
import io.redwatch.collector.security.AgentTokens;
import io.redwatch.collector.security.ConnectionLimit;
import io.redwatch.collector.security.ExposureRule;
import io.redwatch.collector.security.IngestLimits;
import io.redwatch.collector.security.ServerTls;
import io.redwatch.collector.storage.BatchStore;
import io.redwatch.collector.storage.Database;
import io.redwatch.collector.storage.DeadLetters;
import io.redwatch.collector.storage.GroupCommit;
import io.redwatch.collector.storage.InstanceOwnership;
import io.redwatch.collector.storage.PartitionMaintenance;
import io.redwatch.collector.storage.RecentRecordsReader;
import io.redwatch.proto.v1.Record;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The running collector: gRPC ingest (grpc-java's Netty server: its keepalive policy, flow control
 * and TLS are mature), live diagnosis and alerting, and the HTTP API on Vert.x. Batches are committed
 * many agents at a time by the group commit's own threads; diagnosis, window refills and alert
 * delivery each have threads of their own; the rest of the database work shares one worker pool.
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
    private static final long INFO_BUCKET_TICK_MS = 1_000;
    /** How fresh the outbox gauges of /metrics are; a typical scrape interval. */
    private static final long OUTBOX_SAMPLE_MS = 15_000;
    /** The agent cuts batches at 1 MiB; 16 MiB leaves room for one huge record and still bounds memory per stream. */
    private static final int MAX_AGENT_MESSAGE_BYTES = 16 << 20;

    /** Threads committing groups of batches side by side: one gathers its group while the other's commits. */
    private static final int COMMITTERS = 2;
    /** Threads for hellos, token checks and screening batches before they join a group. */
    private static final int INGEST_THREADS = 4;
    /** Most batches in one transaction. */
    private static final int MAX_GROUP = 500;
    /**
     * How long a committer waits for more batches after the first. Short: under load groups fill while
     * the other committer commits; when quiet, a batch should not wait for company.
     */
    private static final java.time.Duration GROUP_LINGER = java.time.Duration.ofMillis(2);
    /** Never reached in practice: the in-flight budget holds far fewer batches. */
    private static final int COMMIT_QUEUE = 20_000;
    /**
     * HTTP/2 window per stream: what an agent may send before the collector asks for it. A stream held
     * back by the in-flight budget keeps this much in the collector's direct memory, so it is what
     * bounds that memory across a fleet: 10,000 held streams at 1 MiB each would need 10 GiB (and at
     * 10,000 agents the 512 MiB filled at ~40 s). A larger batch still arrives, in window-sized steps,
     * once asked for; fixed, because grpc-java would otherwise grow it with its bandwidth estimate.
     */
    private static final int STREAM_WINDOW_BYTES = 16 << 10;
    /**
     * Largest read from an agent's socket. A received frame keeps its whole read buffer alive while it
     * waits to be asked for, so this, too, is held per connection; Netty's default grows reads to 64 KiB.
     */
    private static final int MAX_READ_BYTES = 16 << 10;

    private final CollectorConfig config;
    private final Vertx vertx;
    private final HikariDataSource db;
    private final WorkerExecutor workers;
    private final WorkerExecutor ingestWorkers;
    private final IngestMetrics metrics = new IngestMetrics();
    private final java.util.Map<String, AtomicBoolean> ticking = new java.util.concurrent.ConcurrentHashMap<>();
    private Alerting alerting;
    private GroupCommit commits;
    private Server grpc;
    private HttpServer http;
    private final IngestLimits limits;

    public Collector(CollectorConfig config) {
        this(
                config,
                IngestLimits.defaults(DirectMemory.max()).withConnectionsPerAddress(config.connectionsPerAddress()));
    }

    /** With other ingest limits (tests make them small enough to reach). */
    public Collector(CollectorConfig config, IngestLimits limits) {
        this.config = config;
        this.limits = limits;
        ExposureRule.check(config); // before anything is opened: an exposed, unprotected collector does not start
        // Creates the database if missing and applies the schema before anything listens.
        // pool_size is for the general worker pool; ingest's threads and the group commit's get connections on top.
        this.db = Database.open(
                config.dbUrl(),
                config.dbUser(),
                config.dbPassword().reveal(),
                config.dbPoolSize() + INGEST_THREADS + COMMITTERS);
        this.vertx = Vertx.vertx();
        this.workers = vertx.createSharedWorkerExecutor("redwatch-db", config.dbPoolSize());
        // Hellos, token checks and batch screening: never behind a slow status-page query or maintenance.
        this.ingestWorkers = vertx.createSharedWorkerExecutor("redwatch-ingest", INGEST_THREADS);
    }

    public void start() {
        PartitionMaintenance maintenance = new PartitionMaintenance(db);
        runMaintenance(maintenance);
        vertx.setPeriodic(MAINTENANCE_PERIOD_MS, id -> runMaintenance(maintenance));

        String collectorId = UUID.randomUUID().toString();
        alerting = new Alerting(vertx, db, config.alerting());
        FindingsSink sink = (instance, host, findings, now) -> alerting.evaluate(instance, host, findings, now);
        LiveDiagnosis live = new LiveDiagnosis(
                new Diagnosis(config.thresholds()),
                DIAGNOSIS_WINDOW,
                EVALUATION_SPACING,
                sink,
                new RecentRecordsReader(db)::load);
        StreamGuard streams = new StreamGuard();
        AgentWatch agents;
        try {
            agents = AgentWatch.open(db, config.thresholds(), sink, streams::heardNotStored);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(
                    "cannot read the agents' last words from the database at start-up: " + e.getMessage(), e);
        }
        // Diagnosis and window refills each run on a thread of their own: neither ever waits for the other or for
        // ingest.
        WorkerExecutor diagnosisThread = vertx.createSharedWorkerExecutor("redwatch-diagnosis", 1);
        WorkerExecutor refillThread = vertx.createSharedWorkerExecutor("redwatch-refill", 1);
        DiagnosisMetrics diagnosisMetrics = new DiagnosisMetrics(live::watched, live::waitingForRefill);
        metrics.add(diagnosisMetrics::writeTo);
        vertx.setPeriodic(
                EVALUATION_TICK_MS,
                id -> blocking(diagnosisThread, "diagnosis", () -> {
                    long t0 = System.nanoTime();
                    int n = live.evaluateDue(System.currentTimeMillis());
                    diagnosisMetrics.round(System.nanoTime() - t0, n);
                    return n;
                }));
        vertx.setPeriodic(
                EVALUATION_TICK_MS,
                id -> blocking(refillThread, "window refill", () -> live.refillDue(System.currentTimeMillis())));
        OutboxMetrics outbox = new OutboxMetrics(db);
        metrics.add(outbox::writeTo);
        vertx.setPeriodic(
                OUTBOX_SAMPLE_MS,
                id -> blocking("outbox metrics", () -> {
                    outbox.sample();
                    return null;
                }));
        vertx.setPeriodic(
                AGENT_CHECK_MS, id -> blocking("agent_silent check", () -> agents.check(System.currentTimeMillis())));
        alerting.start();
        SecurityConfig security = config.security();
        IngestService.BatchObserver observer = (agentId, host, facts) -> {
            live.observe(agentId, host, facts, System.currentTimeMillis());
            // Log lines are how most incidents first show: judge them now rather than at the next tick.
            if (carriesTellingLines(facts)) {
                blocking(diagnosisThread, "diagnosis", () -> live.evaluateDue(System.currentTimeMillis()));
            }
        };
        RefusalLog refusals =
                new RefusalLog(Logger.getLogger(IngestService.class.getName()), RefusalLog.DEFAULT_INTERVAL_MS);
        AgentTokens tokens = security.agentTokensRequired() ? new AgentTokens(db) : null;
        BatchStore store = new BatchStore(db);
        // INFO buckets end for every instance at once (:00 and :30): they are packed on a thread of their
        // own, at most half of every second, so that neither commits nor the database's CPU stall on it.
        WorkerExecutor bucketThread = vertx.createSharedWorkerExecutor("redwatch-info-buckets", 1);
        vertx.setPeriodic(
                INFO_BUCKET_TICK_MS,
                id -> blocking(
                        bucketThread,
                        "packing INFO buckets",
                        () -> store.infoBuckets().closeDue(TimeUnit.MILLISECONDS.toNanos(INFO_BUCKET_TICK_MS / 2))));
        metrics.add(e -> e.single(
                "redwatch_info_buckets_to_close",
                "gauge",
                "instances whose ended 30-minute INFO buckets wait to be packed (they rise at :00 and :30, then drain)",
                store.infoBuckets().pending()));
        commits = new GroupCommit(store, COMMITTERS, MAX_GROUP, GROUP_LINGER, COMMIT_QUEUE).start();
        IngestGate inflight = new IngestGate(limits.inflightBytes());
        metrics.add(e -> {
            GroupCommit.Counters c = commits.counters();
            e.single(
                    "redwatch_ingest_groups_committed_total",
                    "counter",
                    "transactions that stored a group of batches",
                    c.groups.get());
            e.single(
                    "redwatch_ingest_grouped_batches_total",
                    "counter",
                    "batches stored in those groups",
                    c.groupedBatches.get());
            e.single(
                    "redwatch_ingest_groups_retried_total",
                    "counter",
                    "groups that failed and were stored again one batch at a time",
                    c.groupsRetriedOneByOne.get());
            e.single(
                    "redwatch_ingest_commit_queue",
                    "gauge",
                    "batches screened and waiting for a group commit",
                    c.queued.get());
            e.single(
                    "redwatch_ingest_inflight_bytes",
                    "gauge",
                    "bytes of batches received and not yet acknowledged",
                    inflight.inFlightBytes());
            e.single(
                    "redwatch_ingest_streams_held_back",
                    "gauge",
                    "agent streams not reading because the in-flight budget is spent (their agents spool)",
                    inflight.waiting());
            e.single(
                    "redwatch_direct_memory_bytes",
                    "gauge",
                    "the JVM's direct buffers in use (agents' unread bytes wait here; the limit is -XX:MaxDirectMemorySize, by default -Xmx)",
                    DirectMemory.used());
        });
        InstanceOwnership owners = new InstanceOwnership(db);
        vertx.setPeriodic(
                InstanceOwnership.CHANGES_POLL_MS, id -> blocking("instance owner changes", owners::readChanges));
        BatchGate gate = new BatchGate(
                owners, new ClockBound(config.retentionDays()), new DeadLetters(db), commits, metrics, refusals);
        IngestService ingest = new IngestService(
                store, ingestWorkers, metrics, collectorId, observer, streams, gate, refusals, inflight);
        AgentCallAuth auth = new AgentCallAuth(
                tokens,
                r -> ingestWorkers.executeBlocking(
                        () -> {
                            r.run();
                            return null;
                        },
                        false),
                metrics,
                refusals);
        if (tokens != null) {
            TokenRecheck recheck = new TokenRecheck(tokens, streams, metrics);
            vertx.setPeriodic(limits.tokenRecheck().toMillis(), id -> blocking("token re-check", recheck::run));
        }
        InetSocketAddress grpcAddress = new InetSocketAddress(config.bind(), config.grpcPort());
        try {
            grpc = (security.tls() == null
                            ? NettyServerBuilder.forAddress(grpcAddress)
                            : NettyServerBuilder.forAddress(grpcAddress, ServerTls.credentials(security.tls())))
                    .addService(io.grpc.ServerInterceptors.intercept(LenientAgentMessages.bind(ingest), auth))
                    .addStreamTracerFactory(new RefusedStreamLog(metrics, MAX_AGENT_MESSAGE_BYTES, refusals))
                    .addTransportFilter(new ConnectionLimit(limits.connectionsPerAddress(), limits.connections()))
                    .maxConcurrentCallsPerConnection(limits.callsPerConnection())
                    .maxConnectionAge(limits.connectionAge().toMillis(), TimeUnit.MILLISECONDS)
                    .maxConnectionAgeGrace(limits.connectionAgeGrace().toMillis(), TimeUnit.MILLISECONDS)
                    // A connection refused every call (past the per-address limit) holds none open: close it soon.
                    .maxConnectionIdle(2, TimeUnit.MINUTES)
                    // Only headers are read before a call is authenticated: bound them too.
                    .maxInboundMetadataSize(8 << 10)
                    // Agents ping every 30 s to detect half-open connections; allow it rather than GOAWAY them.
                    .permitKeepAliveTime(20, TimeUnit.SECONDS)
                    .permitKeepAliveWithoutCalls(true)
                    .keepAliveTime(60, TimeUnit.SECONDS)
                    .maxInboundMessageSize(MAX_AGENT_MESSAGE_BYTES)
                    .flowControlWindow(STREAM_WINDOW_BYTES)
                    .withChildOption(
                            ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(64, 2048, MAX_READ_BYTES))
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot listen for agents on " + config.bind() + ":" + config.grpcPort() + " (" + e.getMessage()
                            + "); is another collector running? choose another --grpc-port",
                    e);
        }
        try {
            http = new HttpApi(vertx, db, metrics)
                    .listen(config.bind(), config.httpPort(), security.apiToken(), security.tls(), router -> {
                        new AlertingRoutes(workers, alerting).mount(router);
                        new StatusRoutes(workers, db).mount(router);
                    })
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(
                    "cannot listen for HTTP on " + config.bind() + ":" + config.httpPort() + " (" + e.getMessage()
                            + "); choose another --http-port",
                    e);
        }
        LOG.info("redwatch collector listening: agents on " + config.bind() + ":" + grpc.getPort()
                + (security.tls() == null
                        ? " (plaintext)"
                        : security.tls().mutual() ? " (TLS, client certificates required)" : " (TLS)")
                + ", agent tokens " + (security.agentTokensRequired() ? "required" : "off")
                + ", HTTP" + (security.tls() == null ? "" : "S") + " on " + config.bind() + ":" + http.actualPort()
                + (security.apiToken().isPresent() ? " (API token required)" : " (API open)")
                + ", database " + config.dbUrl().replaceFirst("\\?.*", "")); // a query string may hold a password
    }

    private static boolean carriesTellingLines(BatchFacts facts) {
        for (int i = 0; i < facts.records().size(); i++) {
            if (facts.records().get(i).getKindCase() == Record.KindCase.LOG
                    && facts.logLine(i).kind().telling()) return true;
        }
        return false;
    }

    /** A timer's blocking work on the worker pool; a tick still running is not started again. */
    private void blocking(String what, java.util.concurrent.Callable<?> work) {
        blocking(workers, what, work);
    }

    private void blocking(WorkerExecutor pool, String what, java.util.concurrent.Callable<?> work) {
        AtomicBoolean busy = ticking.computeIfAbsent(what, k -> new AtomicBoolean());
        if (!busy.compareAndSet(false, true)) return;
        pool.executeBlocking(work, false)
                .onFailure(
                        e -> LOG.log(Level.WARNING, what + " failed (retrying on the next tick): " + e.getMessage(), e))
                .onComplete(r -> busy.set(false));
    }

    private void runMaintenance(PartitionMaintenance maintenance) {
        workers.executeBlocking(
                        () -> {
                            maintenance.ensurePartitions(3);
                            maintenance.applyRetention(config.retentionDays());
                            return null;
                        },
                        false)
                .onFailure(e -> LOG.log(
                        Level.WARNING,
                        "partition maintenance failed (will retry within the hour): " + e.getMessage(),
                        e));
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
        if (commits != null) commits.close(); // after gRPC: no stream submits any more
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.FINE, "vert.x did not close cleanly", e);
        }
        db.close();
    }
}
