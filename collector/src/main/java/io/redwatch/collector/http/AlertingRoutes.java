package io.redwatch.collector.http;

import io.redwatch.collector.alerting.AlertQueries;
import io.redwatch.collector.alerting.Alerting;
import io.redwatch.collector.alerting.Silence;
import io.redwatch.collector.alerting.SilenceStore;
import io.redwatch.common.config.ConfigException;
import io.redwatch.common.config.Durations;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The alerting API, JSON in and out:
 * <pre>
 * GET    /api/instances                      instances with their firing alerts
 * GET    /api/alerts?state=firing|resolved   alerts, newest first (&amp;limit=, default 500)
 * GET    /api/silences                       silences in force (?expired=true: all)
 * POST   /api/silences                       {rule?, instance?, host?, expires_at | duration, comment} → 201
 * DELETE /api/silences/{id}                  expire it now
 * </pre>
 * Bad requests get 400 with {@code {"error": "…"}} naming the field.
 */
public final class AlertingRoutes {
    private static final Logger LOG = Logger.getLogger(AlertingRoutes.class.getName());
    private static final Set<String> SILENCE_FIELDS =
            Set.of("rule", "instance", "host", "expires_at", "duration", "comment");
    private static final Pattern RULE_ID = Pattern.compile("[a-z][a-z0-9_]*");
    private static final int MAX_LIMIT = 5000;

    private final WorkerExecutor workers;
    private final AlertQueries queries;
    private final SilenceStore silences;

    public AlertingRoutes(WorkerExecutor workers, AlertQueries queries, SilenceStore silences) {
        this.workers = workers;
        this.queries = queries;
        this.silences = silences;
    }

    /** The API of a running alert pipeline. */
    public AlertingRoutes(WorkerExecutor workers, Alerting alerting) {
        this(workers, alerting.queries(), alerting.silences());
    }

    /** Adds /api/instances, /api/alerts and /api/silences to the router. */
    public void mount(Router router) {
        router.get("/api/instances").handler(ctx -> reply(ctx, 200, queries::instances));
        router.get("/api/alerts").handler(this::alerts);
        router.get("/api/silences").handler(ctx -> {
            boolean all = "true".equals(ctx.request().getParam("expired"));
            reply(ctx, 200, () -> {
                JsonArray out = new JsonArray();
                for (Silence s : silences.list(System.currentTimeMillis(), all)) out.add(json(s));
                return out;
            });
        });
        // No file uploads: BodyHandler's default writes them to ./file-uploads under the working directory.
        router.post("/api/silences")
                .handler(BodyHandler.create(false).setBodyLimit(64 * 1024))
                .handler(this::createSilence);
        router.delete("/api/silences/:id").handler(this::expireSilence);
    }

    private void alerts(RoutingContext ctx) {
        String state = ctx.request().getParam("state");
        if (state != null && !state.equals("firing") && !state.equals("resolved")) {
            badRequest(ctx, "state must be firing or resolved, got '" + state + "'");
            return;
        }
        int limit = 500;
        String l = ctx.request().getParam("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                badRequest(ctx, "limit must be a whole number from 1 to " + MAX_LIMIT + ", got '" + l + "'");
                return;
            }
        }
        int n = limit;
        reply(ctx, 200, () -> queries.alerts(state, n));
    }

    private void createSilence(RoutingContext ctx) {
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            badRequest(ctx, "the body must be a JSON object: " + e.getMessage());
            return;
        }
        if (body == null) {
            badRequest(ctx, "the body must be a JSON object {rule?, instance?, host?, expires_at | duration, comment}");
            return;
        }
        long now = System.currentTimeMillis();
        String rule;
        String instance;
        String host;
        String comment;
        long expiresAt;
        try {
            for (String k : body.fieldNames()) {
                if (!SILENCE_FIELDS.contains(k)) {
                    throw new IllegalArgumentException(
                            "unknown field '" + k + "'; fields are " + String.join(", ", SILENCE_FIELDS));
                }
            }
            rule = text(body, "rule");
            instance = text(body, "instance");
            host = text(body, "host");
            comment = text(body, "comment");
            if (rule == null && instance == null && host == null) {
                throw new IllegalArgumentException(
                        "give at least one of rule, instance or host: a silence of everything is not allowed");
            }
            if (rule != null && !RULE_ID.matcher(rule).matches()) {
                throw new IllegalArgumentException("rule '" + rule + "' is not a rule id (like fork_enomem)");
            }
            if (comment == null) throw new IllegalArgumentException("comment is required: say why and who silenced it");
            String at = text(body, "expires_at");
            String duration = text(body, "duration");
            if ((at == null) == (duration == null)) {
                throw new IllegalArgumentException(
                        "give either expires_at (e.g. 2030-01-01T00:00:00Z) or duration (e.g. 2h)");
            }
            if (at != null) {
                expiresAt = parseInstant(at);
            } else {
                expiresAt = now + Durations.parse(duration, "duration").toMillis();
            }
            if (expiresAt <= now) throw new IllegalArgumentException("expires_at " + at + " is not in the future");
        } catch (IllegalArgumentException | ConfigException e) {
            badRequest(ctx, e.getMessage());
            return;
        }
        reply(ctx, 201, () -> json(silences.create(rule, instance, host, expiresAt, comment, now)));
    }

    private void expireSilence(RoutingContext ctx) {
        long id;
        try {
            id = Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            badRequest(ctx, "silence id must be a number, got '" + ctx.pathParam("id") + "'");
            return;
        }
        workers.executeBlocking(() -> silences.expire(id, System.currentTimeMillis()), false)
                .onComplete(r -> {
                    if (r.failed()) {
                        error(ctx, r.cause());
                    } else if (r.result().isEmpty()) {
                        send(ctx, 404, new JsonObject().put("error", "no silence with id " + id));
                    } else {
                        send(ctx, 200, json(r.result().get()));
                    }
                });
    }

    private static String text(JsonObject body, String field) {
        Object v = body.getValue(field);
        if (v == null) return null;
        if (!(v instanceof String s)) throw new IllegalArgumentException(field + " must be a string, got " + v);
        return s.isBlank() ? null : s.trim();
    }

    private static long parseInstant(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(text).toEpochMilli();
            } catch (DateTimeParseException e2) {
                throw new IllegalArgumentException("expires_at '" + text
                        + "' is not an ISO-8601 time with offset (e.g. 2030-01-01T08:00:00+08:00)");
            }
        }
    }

    static JsonObject json(Silence s) {
        return new JsonObject()
                .put("id", s.id())
                .put("rule", s.rule())
                .put("instance", s.instance())
                .put("host", s.host())
                .put("created_at", Instant.ofEpochMilli(s.createdAtMs()).toString())
                .put("expires_at", Instant.ofEpochMilli(s.expiresAtMs()).toString())
                .put("comment", s.comment());
    }

    private <T> void reply(RoutingContext ctx, int status, Callable<T> work) {
        Future<T> f = workers.executeBlocking(work, false);
        f.onComplete(r -> {
            if (r.succeeded()) send(ctx, status, r.result());
            else error(ctx, r.cause());
        });
    }

    private static void error(RoutingContext ctx, Throwable t) {
        if (t instanceof IllegalArgumentException) {
            badRequest(ctx, t.getMessage());
            return;
        }
        LOG.log(Level.WARNING, ctx.request().method() + " " + ctx.request().path() + " failed: " + t.getMessage(), t);
        send(ctx, 503, new JsonObject().put("error", t.getMessage()));
    }

    private static void badRequest(RoutingContext ctx, String message) {
        send(ctx, 400, new JsonObject().put("error", message));
    }

    private static void send(RoutingContext ctx, int status, Object body) {
        String text = body instanceof JsonObject o
                ? o.encode()
                : body instanceof JsonArray a ? a.encode() : String.valueOf(body);
        ctx.response()
                .setStatusCode(status)
                .putHeader("content-type", "application/json; charset=utf-8")
                .end(text);
    }
}
