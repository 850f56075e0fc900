package io.redwatch.collector.http.status;

import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The status page: static files from the jar under {@code /status/} (open: they hold no data and
 * no secret) and the JSON it reads under {@code /api/status/} (behind the API token like the rest
 * of {@code /api}):
 * <pre>
 * GET /api/status/fleet                                  every instance, firing ones first
 * GET /api/status/instance?name=host:port                alerts, latest CONFIG, host and process facts
 * GET /api/status/series?name=host:port&amp;window=1h|24h|7d  the charts, downsampled
 * </pre>
 */
public final class StatusRoutes {
    private static final Logger LOG = Logger.getLogger(StatusRoutes.class.getName());
    private static final int MAX_NAME = 300;
    /** Scripts, styles and data from this origin only: a name that slipped past escaping still cannot load or run code. */
    private static final String CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self';"
            + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private final WorkerExecutor workers;
    private final StatusQueries status;
    private final SeriesQueries series;

    public StatusRoutes(WorkerExecutor workers, DataSource db) {
        this.workers = workers;
        this.status = new StatusQueries(db);
        this.series = new SeriesQueries(db);
    }

    public void mount(Router router) {
        router.get("/").handler(ctx -> ctx.redirect("/status/"));
        router.route("/status/*").handler(ctx -> {
            ctx.response()
                    .putHeader("Content-Security-Policy", CSP)
                    .putHeader("X-Content-Type-Options", "nosniff")
                    .putHeader("Referrer-Policy", "no-referrer");
            ctx.next();
        });
        // Files change only with the jar; a short cache keeps a phone from refetching on every view.
        router.route("/status/*")
                .handler(StaticHandler.create("status")
                        .setCachingEnabled(true)
                        .setMaxAgeSeconds(300)
                        .setIndexPage("index.html")
                        .setDirectoryListing(false));
        router.get("/api/status/fleet").handler(ctx -> reply(ctx, status::fleet));
        router.get("/api/status/instance").handler(ctx -> {
            String name = name(ctx);
            if (name == null) return;
            reply(ctx, () -> {
                JsonObject i = status.instance(name);
                if (i == null)
                    throw new NotFound("no instance named '" + name
                            + "' has been stored; names are host:port as on the fleet page");
                return i;
            });
        });
        router.get("/api/status/series").handler(ctx -> {
            String name = name(ctx);
            if (name == null) return;
            SeriesQueries.Window w;
            try {
                w = SeriesQueries.Window.parse(ctx.request().getParam("window", "1h"));
            } catch (IllegalArgumentException e) {
                send(ctx, 400, new JsonObject().put("error", e.getMessage()));
                return;
            }
            String host = ctx.request().getParam("host");
            reply(ctx, () -> series.series(name, host == null ? hostOf(name) : host, w, Instant.now()));
        });
    }

    /** The host part of "host:port", which is what the agent names its host facts by. */
    private static String hostOf(String instance) {
        int colon = instance.lastIndexOf(':');
        return colon > 0 ? instance.substring(0, colon) : instance;
    }

    private static String name(RoutingContext ctx) {
        String name = ctx.request().getParam("name");
        if (name == null || name.isBlank() || name.length() > MAX_NAME) {
            send(
                    ctx,
                    400,
                    new JsonObject()
                            .put("error", "give ?name=host:port of an instance (at most " + MAX_NAME + " characters)"));
            return null;
        }
        return name;
    }

    private static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message, null, false, false);
        }
    }

    private void reply(RoutingContext ctx, Callable<JsonObject> work) {
        workers.executeBlocking(work, false).onComplete(r -> {
            if (r.succeeded()) {
                send(ctx, 200, r.result());
            } else if (r.cause() instanceof NotFound nf) {
                send(ctx, 404, new JsonObject().put("error", nf.getMessage()));
            } else {
                LOG.log(
                        Level.WARNING,
                        "GET " + ctx.request().path() + " failed: " + r.cause().getMessage()
                                + "; the status page shows the error. Check PostgreSQL (GET /health).",
                        r.cause());
                send(
                        ctx,
                        503,
                        new JsonObject()
                                .put(
                                        "error",
                                        "cannot read the history: " + r.cause().getMessage()));
            }
        });
    }

    private static void send(RoutingContext ctx, int status, JsonObject body) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("content-type", "application/json; charset=utf-8")
                .putHeader("cache-control", "no-store")
                .end(body.encode());
    }
}
