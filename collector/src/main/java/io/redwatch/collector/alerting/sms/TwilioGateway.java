package io.redwatch.collector.alerting.sms;

import io.redwatch.collector.alerting.Delivery;
import io.redwatch.common.config.Secret;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * Twilio's Messages API: {@code POST /2010-04-01/Accounts/{AccountSid}/Messages.json}, form-encoded
 * To, From and Body, HTTP basic auth with the Account SID and auth token. Twilio answers 201 with
 * the message, or an error document {@code {"code": 21211, "message": "…", "status": 400}}.
 */
final class TwilioGateway implements SmsGateway {
    private final HttpClient http;
    private final URI endpoint;
    private final String authorization;
    private final String from;
    private final Duration timeout;

    TwilioGateway(HttpClient http, URI base, String accountSid, Secret authToken, String from, Duration timeout) {
        this.http = http;
        String b = base.toString().replaceAll("/+$", "");
        this.endpoint = URI.create(b + "/2010-04-01/Accounts/" + accountSid + "/Messages.json");
        this.authorization = "Basic "
                + Base64.getEncoder()
                        .encodeToString((accountSid + ":" + authToken.reveal()).getBytes(StandardCharsets.UTF_8));
        this.from = from;
        this.timeout = timeout;
    }

    @Override
    public Delivery post(String to, String text) {
        String form = "To=" + enc(to) + "&From=" + enc(from) + "&Body=" + enc(text);
        HttpRequest req = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                .header("Authorization", authorization)
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8))
                .build();
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return HttpOutcome.of(r.statusCode(), twilioError(r.body()), "Twilio " + endpoint.getHost());
        } catch (IOException e) {
            return Delivery.transientFailure("Twilio " + endpoint.getHost() + " unreachable: "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Delivery.transientFailure("interrupted while posting to Twilio");
        }
    }

    /** "21211 The 'To' number … is not a valid phone number." from Twilio's error document, else the raw body. */
    private static String twilioError(String body) {
        if (body == null || body.isBlank()) return body;
        try {
            JsonObject j = new JsonObject(body);
            if (j.containsKey("code") && j.containsKey("message")) {
                return "error " + j.getValue("code") + " " + j.getString("message");
            }
            return j.containsKey("sid") ? "" : body;
        } catch (DecodeException | ClassCastException e) {
            return body;
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
