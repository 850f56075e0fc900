package io.redwatch.collector.alerting.sms;

import io.redwatch.collector.alerting.Delivery;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** POSTs {@code {"to": "+86…", "text": "…"}} as JSON to a gateway URL. */
final class WebhookGateway implements SmsGateway {
    private final HttpClient http;
    private final URI url;
    private final Duration timeout;

    WebhookGateway(HttpClient http, URI url, Duration timeout) {
        this.http = http;
        this.url = url;
        this.timeout = timeout;
    }

    @Override
    public Delivery post(String to, String text) {
        String body = new JsonObject().put("to", to).put("text", text).encode();
        HttpRequest req = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return HttpOutcome.of(r.statusCode(), r.body(), "SMS webhook " + url);
        } catch (IOException e) {
            return Delivery.transientFailure("SMS webhook " + url + " unreachable: "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Delivery.transientFailure("interrupted while posting to " + url);
        }
    }
}
