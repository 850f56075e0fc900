package io.redwatch.collector.http;

import io.redwatch.collector.config.Secret;
import io.redwatch.collector.config.SecurityConfig;
import io.redwatch.collector.ingest.IngestMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * {@code GET /health} (200 when the database answers, 503 with the reason), {@code GET /metrics},
 * and whatever else the caller mounts.
 *
 * <p>{@code /health} answers within {@value #HEALTH_DEADLINE_MS} ms whatever the database does: it
 * runs on threads of its own, not on the worker pool that ingest fills with batches waiting for
 * connections during an outage, and a check still running at the deadline is answered 503.
 */
public final class HttpApi {
    /** Past the pool's 5 s connection timeout, so the answer usually carries the pool's own reason. */
    static final long HEALTH_DEADLINE_MS = 8_000;
    private final Vertx vertx;
    private final DataSource db;
    private final WorkerExecutor healthChecks;
    private final IngestMetrics metrics;

    public HttpApi(Vertx vertx, DataSource db, IngestMetrics metrics) {
        this.vertx = vertx;
        this.db = db;
        this.healthChecks = vertx.createSharedWorkerExecutor("redwatch-health", 2);
        this.metrics = metrics;
    }

    /**
     * {@code routes} mounts the rest of the API (alerts, silences, instances). With an API token,
     * everything under {@code /api} needs it; {@code /health} and {@code /metrics} stay open for
     * probes and scrapers (they reveal counts and database reachability, no data). With {@code tls},
     * HTTPS with the agents' certificate.
     */
    public Future<HttpServer> listen(String bind, int port, Secret apiToken, SecurityConfig.Tls tls,
                                     java.util.function.Consumer<Router> routes) {
        Router router = Router.router(vertx);
        if (apiToken.isPresent()) router.route("/api/*").handler(new ApiTokenAuth(apiToken));
        routes.accept(router);
        router.get("/health").handler(this::health);
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("content-type", "text/plain; version=0.0.4").end(metrics.prometheus()));
        // gzip: the status page's script and chart data cross a phone's link in a third of the bytes
        HttpServerOptions options = new HttpServerOptions().setCompressionSupported(true);
        if (tls != null) {
            options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                    .setCertPath(tls.certFile().toString()).setKeyPath(tls.keyFile().toString()));
        }
        return vertx.createHttpServer(options).requestHandler(router).listen(port, bind);
    }

    private void health(RoutingContext ctx) {
        AtomicBoolean answered = new AtomicBoolean();
        long deadline = vertx.setTimer(HEALTH_DEADLINE_MS, t -> {
            if (answered.compareAndSet(false, true)) {
                unavailable(ctx, "database unreachable: no connection within " + HEALTH_DEADLINE_MS + " ms");
            }
        });
        healthChecks.<Void>executeBlocking(() -> {
            try (Connection c = db.getConnection()) {
                if (!c.isValid(2)) throw new SQLException("connection not valid");
            }
            return null;
        }, false).onComplete(r -> {
            vertx.cancelTimer(deadline);
            if (!answered.compareAndSet(false, true)) return;
            if (r.succeeded()) {
                // A poison batch does not make the collector unfit to serve (200), but it is not "ok" either.
                String problem = metrics.problem(System.currentTimeMillis());
                JsonObject body = new JsonObject().put("status", problem == null ? "ok" : "degraded").put("database", "reachable");
                if (problem != null) body.put("problems", new io.vertx.core.json.JsonArray().add(problem));
                ctx.response().setStatusCode(200).putHeader("content-type", "application/json").end(body.encode());
            } else {
                Throwable e = r.cause();
                String why = e.getMessage();
                // Hikari's "request timed out" names the pool, its cause says what is wrong (refused, auth, ...).
                if (e.getCause() != null && e.getCause().getMessage() != null) why += " (" + e.getCause().getMessage() + ")";
                unavailable(ctx, "database unreachable: " + why);
            }
        });
    }

    private static void unavailable(RoutingContext ctx, String reason) {
        ctx.response().setStatusCode(503).putHeader("content-type", "application/json")
                .end(new JsonObject().put("status", "unavailable").put("reason", reason).encode());
    }
}
