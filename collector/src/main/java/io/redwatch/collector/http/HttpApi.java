package io.redwatch.collector.http;

import io.redwatch.collector.config.SecurityConfig;
import io.redwatch.collector.ingest.IngestMetrics;
import io.redwatch.common.config.Secret;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * {@code GET /health} (200 when the database answers and no {@link HealthSignal} reports a problem,
 * else 503 with the reason), {@code GET /metrics}, and whatever else the caller mounts. Writes under
 * {@code /api} must be JSON ({@link JsonWritesOnly}).
 *
 * <p>{@code /health} is open to probes, so its reasons are fixed phrases ("database unreachable"):
 * a JDBC error names the database host and user, and sometimes more. The full error goes to the
 * collector's log, once each time it changes.
 *
 * <p>{@code /health} answers within {@value #HEALTH_DEADLINE_MS} ms whatever the database does: it
 * runs on threads of its own, not on the worker pool that ingest fills with batches waiting for
 * connections during an outage, and a check still running at the deadline is answered 503.
 */
public final class HttpApi {
    /** Past the pool's 5 s connection timeout, so the answer usually carries the pool's own reason. */
    static final long HEALTH_DEADLINE_MS = 8_000;

    private static final Logger LOG = Logger.getLogger(HttpApi.class.getName());
    private final Vertx vertx;
    private final DataSource db;
    private final WorkerExecutor healthChecks;
    private final IngestMetrics metrics;
    private final List<HealthSignal> signals = new CopyOnWriteArrayList<>();
    private final AtomicReference<String> lastDatabaseError = new AtomicReference<>();

    public HttpApi(Vertx vertx, DataSource db, IngestMetrics metrics) {
        this.vertx = vertx;
        this.db = db;
        this.healthChecks = vertx.createSharedWorkerExecutor("redwatch-health", 2);
        this.metrics = metrics;
    }

    /** Adds a problem {@code /health} reports besides the database (e.g. the count of dead-lettered batches). */
    public HttpApi withHealthSignal(HealthSignal signal) {
        signals.add(signal);
        return this;
    }

    /**
     * {@code routes} mounts the rest of the API (alerts, silences, instances). With an API token,
     * everything under {@code /api} needs it; {@code /health} and {@code /metrics} stay open for
     * probes and scrapers (they reveal counts and database reachability, no data). With {@code tls},
     * HTTPS with the agents' certificate.
     */
    public Future<HttpServer> listen(
            String bind,
            int port,
            Secret apiToken,
            SecurityConfig.Tls tls,
            java.util.function.Consumer<Router> routes) {
        Router router = Router.router(vertx);
        if (apiToken.isPresent()) router.route("/api/*").handler(new ApiTokenAuth(apiToken));
        router.route("/api/*").handler(new JsonWritesOnly());
        routes.accept(router);
        router.get("/health").handler(this::health);
        router.get("/metrics")
                .handler(ctx -> ctx.response()
                        .putHeader("content-type", "text/plain; version=0.0.4")
                        .end(metrics.prometheus()));
        // gzip: the status page's script and chart data cross a phone's link in a third of the bytes
        HttpServerOptions options = new HttpServerOptions().setCompressionSupported(true);
        if (tls != null) {
            options.setSsl(true)
                    .setKeyCertOptions(new PemKeyCertOptions()
                            .setCertPath(tls.certFile().toString())
                            .setKeyPath(tls.keyFile().toString()));
        }
        return vertx.createHttpServer(options).requestHandler(router).listen(port, bind);
    }

    private void health(RoutingContext ctx) {
        AtomicBoolean answered = new AtomicBoolean();
        long deadline = vertx.setTimer(HEALTH_DEADLINE_MS, t -> {
            if (answered.compareAndSet(false, true)) {
                unavailable(
                        ctx,
                        "unavailable",
                        List.of("database unreachable: no connection within " + HEALTH_DEADLINE_MS + " ms"));
            }
        });
        healthChecks.<List<String>>executeBlocking(this::problems, false).onComplete(r -> {
            vertx.cancelTimer(deadline);
            if (!answered.compareAndSet(false, true)) return;
            List<String> problems =
                    r.succeeded() ? r.result() : List.of("health check failed; see the collector's log");
            if (r.failed()) LOG.log(Level.WARNING, "the health check itself failed", r.cause());
            if (problems.isEmpty()) {
                // A poison batch does not make the collector unfit to serve (200), but it is not "ok" either.
                String problem = metrics.problem(System.currentTimeMillis());
                JsonObject body = new JsonObject()
                        .put("status", problem == null ? "ok" : "degraded")
                        .put("database", "reachable");
                if (problem != null) body.put("problems", new io.vertx.core.json.JsonArray().add(problem));
                ctx.response()
                        .setStatusCode(200)
                        .putHeader("content-type", "application/json")
                        .end(body.encode());
            } else {
                unavailable(ctx, problems.get(0).startsWith("database") ? "unavailable" : "degraded", problems);
            }
        });
    }

    /** What is wrong now, in fixed phrases; empty when healthy. Blocking. */
    private List<String> problems() {
        List<String> out = new ArrayList<>();
        try (Connection c = db.getConnection()) {
            if (!c.isValid(2)) throw new SQLException("connection not valid", "08000");
            if (lastDatabaseError.getAndSet(null) != null) LOG.info("/health: the database answers again");
        } catch (SQLException e) {
            out.add(databaseProblem(e));
        }
        for (HealthSignal s : signals) {
            try {
                s.problem().ifPresent(out::add);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a health signal failed", e);
                out.add("a health check failed; see the collector's log");
            }
        }
        return out;
    }

    /** A phrase by SQLSTATE class; the error text itself (host, user, database) only goes to the log. */
    private String databaseProblem(SQLException e) {
        String why = e.getMessage()
                + (e.getCause() != null && e.getCause().getMessage() != null
                        ? " (" + e.getCause().getMessage() + ")"
                        : "");
        if (!why.equals(lastDatabaseError.getAndSet(why))) {
            LOG.warning("/health: the database does not answer: " + why);
        }
        String state = e.getSQLState() != null
                ? e.getSQLState()
                : e.getCause() instanceof SQLException cause && cause.getSQLState() != null ? cause.getSQLState() : "";
        if (state.startsWith("28")) return "database refuses the collector's credentials; see the collector's log";
        if (state.startsWith("3D")) return "database does not exist; see the collector's log";
        return "database unreachable; see the collector's log for the cause";
    }

    private static void unavailable(RoutingContext ctx, String status, List<String> problems) {
        ctx.response()
                .setStatusCode(503)
                .putHeader("content-type", "application/json")
                .end(new JsonObject()
                        .put("status", status)
                        .put("reason", String.join("; ", problems))
                        .put("problems", new JsonArray(problems))
                        .encode());
    }
}
