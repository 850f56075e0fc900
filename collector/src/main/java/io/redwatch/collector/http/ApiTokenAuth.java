package io.redwatch.collector.http;

import io.redwatch.common.config.Secret;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code Authorization: Bearer <token>} on the API; anything else gets 401 with a JSON reason.
 * The comparison is constant-time so response timing reveals nothing of the token.
 */
final class ApiTokenAuth implements Handler<RoutingContext> {
    private static final String PREFIX = "Bearer ";
    private final byte[] token;

    ApiTokenAuth(Secret token) {
        this.token = token.reveal().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void handle(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        if (header == null) {
            refuse(
                    ctx,
                    "missing Authorization header; send 'Authorization: Bearer <token>' with the token of http.api_token_file");
        } else if (!header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            refuse(ctx, "the Authorization header must be 'Bearer <token>'");
        } else if (!MessageDigest.isEqual(
                token, header.substring(PREFIX.length()).trim().getBytes(StandardCharsets.UTF_8))) {
            refuse(ctx, "wrong API token");
        } else {
            ctx.next();
        }
    }

    private static void refuse(RoutingContext ctx, String why) {
        ctx.response()
                .setStatusCode(401)
                .putHeader("WWW-Authenticate", "Bearer realm=\"redwatch\"")
                .putHeader("content-type", "application/json")
                .end(new JsonObject().put("error", why).encode());
    }
}
