package io.redwatch.collector.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * Refuses a write (POST, PUT, PATCH) whose body is not declared {@code application/json} with 415.
 * A web page on another site can make a browser POST {@code text/plain}, form or multipart bodies
 * without asking (no CORS preflight); with the JSON content type the browser asks first, and this
 * API answers no preflight, so a page cannot create silences in an operator's name.
 */
final class JsonWritesOnly implements Handler<RoutingContext> {
    @Override
    public void handle(RoutingContext ctx) {
        HttpMethod m = ctx.request().method();
        if (!m.equals(HttpMethod.POST) && !m.equals(HttpMethod.PUT) && !m.equals(HttpMethod.PATCH)) {
            ctx.next();
            return;
        }
        String type = ctx.request().getHeader("Content-Type");
        String mime = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (mime.equals("application/json")) {
            ctx.next();
            return;
        }
        ctx.response()
                .setStatusCode(415)
                .putHeader("content-type", "application/json")
                .end(new JsonObject()
                        .put(
                                "error",
                                "send the body as JSON with 'Content-Type: application/json'"
                                        + (type == null ? " (no Content-Type was given)" : " (got '" + mime + "')"))
                        .encode());
    }
}
