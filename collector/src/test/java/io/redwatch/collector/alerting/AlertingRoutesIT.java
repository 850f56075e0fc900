package io.redwatch.collector.alerting;

import static io.redwatch.collector.alerting.PipelineHarness.finding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.collector.http.AlertingRoutes;
import io.redwatch.collector.rules.Severity;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The alerting API on a real Vert.x router over a real database. */
class AlertingRoutesIT {
    private static PipelineHarness h;
    private static Alerting alerting;
    private static HttpServer server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        h = new PipelineHarness("alerting_routes_it");
        alerting = h.alerting(h.config(), "api");
        Router router = Router.router(h.vertx);
        new AlertingRoutes(h.workers, alerting).mount(router);
        server = h.vertx
                .createHttpServer()
                .requestHandler(router)
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        server.close();
        h.close();
    }

    @BeforeEach
    void reset() {
        h.reset();
        h.sql("DELETE FROM instances");
    }

    @Test
    void instancesCarryTheirFiringAlerts() throws Exception {
        h.sql(
                "INSERT INTO instances (instance, host, port, role, last_seen) VALUES"
                        + " ('db1:6379', 'db1', 6379, 'master', '2030-01-01T00:00:00Z'), ('db2:6379', 'db2', 6379, 'replica', now())");
        long now = System.currentTimeMillis();
        alerting.evaluate(
                "db1:6379",
                "db1",
                List.of(
                        finding("fork_enomem", Severity.CRITICAL, "db1:6379"),
                        finding("overcommit_disabled", Severity.WARNING, "db1:6379")),
                now);
        JsonArray instances = new JsonArray(get("/api/instances").body());
        assertEquals(2, instances.size());
        JsonObject db1 = instances.getJsonObject(0);
        assertEquals("db1:6379", db1.getString("instance"));
        assertEquals("db1", db1.getString("host"));
        assertEquals("master", db1.getString("role"));
        assertEquals("2030-01-01T00:00:00Z", db1.getString("last_seen"));
        assertEquals(2, db1.getJsonArray("alerts").size());
        assertEquals("fork_enomem", db1.getJsonArray("alerts").getJsonObject(0).getString("rule"));
        assertEquals("critical", db1.getJsonArray("alerts").getJsonObject(0).getString("severity"));
        assertEquals(0, instances.getJsonObject(1).getJsonArray("alerts").size());
    }

    @Test
    void alertsByState() throws Exception {
        long t = System.currentTimeMillis();
        alerting.evaluate(
                "db1:6379",
                "db1",
                List.of(
                        finding("fork_enomem", Severity.CRITICAL, "db1:6379"),
                        finding("maxmemory_near", Severity.WARNING, "db1:6379")),
                t);
        alerting.evaluate(
                "db1:6379", "db1", List.of(finding("fork_enomem", Severity.CRITICAL, "db1:6379")), t + 30_000);
        alerting.evaluate(
                "db1:6379", "db1", List.of(finding("fork_enomem", Severity.CRITICAL, "db1:6379")), t + 90_000);

        JsonArray firing = new JsonArray(get("/api/alerts?state=firing").body());
        assertEquals(1, firing.size());
        assertEquals("fork_enomem", firing.getJsonObject(0).getString("rule"));
        assertTrue(
                firing.getJsonObject(0).getJsonArray("evidence").getString(1).contains("rdb_last_bgsave_status:err"));
        JsonArray resolved = new JsonArray(get("/api/alerts?state=resolved").body());
        assertEquals(1, resolved.size());
        assertEquals("maxmemory_near", resolved.getJsonObject(0).getString("rule"));
        assertEquals(2, new JsonArray(get("/api/alerts").body()).size());

        HttpResponse<String> bad = get("/api/alerts?state=open");
        assertEquals(400, bad.statusCode());
        assertTrue(
                new JsonObject(bad.body()).getString("error").contains("state must be firing or resolved"), bad.body());
    }

    @Test
    void silencesAreCreatedListedAndExpired() throws Exception {
        HttpResponse<String> created = post(
                "/api/silences",
                "{\"rule\": \"fork_enomem\", \"host\": \"db1\", \"duration\": \"2h\", \"comment\": \"rebuilding db1 (ops)\"}");
        assertEquals(201, created.statusCode(), created.body());
        JsonObject s = new JsonObject(created.body());
        assertEquals("fork_enomem", s.getString("rule"));
        assertEquals(null, s.getString("instance"));
        long expires = Instant.parse(s.getString("expires_at")).toEpochMilli();
        assertTrue(Math.abs(expires - (System.currentTimeMillis() + 7_200_000)) < 60_000, s.encode());

        HttpResponse<String> at = post(
                "/api/silences",
                "{\"instance\": \"db2:6379\", \"expires_at\": \"2099-01-01T08:00:00+08:00\", \"comment\": \"decommissioned\"}");
        assertEquals(201, at.statusCode(), at.body());
        assertEquals("2099-01-01T00:00:00Z", new JsonObject(at.body()).getString("expires_at"));

        assertEquals(2, new JsonArray(get("/api/silences").body()).size());
        HttpResponse<String> deleted = HTTP.send(
                HttpRequest.newBuilder(uri("/api/silences/" + s.getLong("id")))
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, deleted.statusCode(), deleted.body());
        JsonArray active = new JsonArray(get("/api/silences").body());
        assertEquals(1, active.size());
        assertEquals("db2:6379", active.getJsonObject(0).getString("instance"));
        assertEquals(2, new JsonArray(get("/api/silences?expired=true").body()).size());
        assertEquals(
                404,
                HTTP.send(
                                HttpRequest.newBuilder(uri("/api/silences/999999"))
                                        .DELETE()
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode());
    }

    @Test
    void badSilencesAre400WithAMessage() throws Exception {
        assertBad("{\"duration\": \"1h\", \"comment\": \"everything\"}", "at least one of rule, instance or host");
        assertBad("{\"rule\": \"fork_enomem\", \"comment\": \"x\"}", "either expires_at");
        assertBad(
                "{\"rule\": \"fork_enomem\", \"duration\": \"1h\", \"expires_at\": \"2099-01-01T00:00:00Z\", \"comment\": \"x\"}",
                "either expires_at");
        assertBad(
                "{\"rule\": \"fork_enomem\", \"duration\": \"soon\", \"comment\": \"x\"}",
                "duration: 'soon' is not a duration");
        assertBad(
                "{\"rule\": \"fork_enomem\", \"expires_at\": \"2001-01-01T00:00:00Z\", \"comment\": \"x\"}",
                "is not in the future");
        assertBad(
                "{\"rule\": \"fork_enomem\", \"expires_at\": \"tomorrow\", \"comment\": \"x\"}",
                "is not an ISO-8601 time");
        assertBad("{\"rule\": \"fork_enomem\", \"duration\": \"1h\"}", "comment is required");
        assertBad("{\"rul\": \"fork_enomem\", \"duration\": \"1h\", \"comment\": \"x\"}", "unknown field 'rul'");
        assertBad("{\"rule\": \"Fork ENOMEM\", \"duration\": \"1h\", \"comment\": \"x\"}", "is not a rule id");
        assertBad("[1, 2]", "JSON object");
        assertBad("not json", "JSON object");
        assertEquals(
                400,
                HTTP.send(
                                HttpRequest.newBuilder(uri("/api/silences/abc"))
                                        .DELETE()
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode());
        assertEquals(0, h.count("SELECT count(*) FROM silences"), "nothing created by a bad request");
    }

    private static void assertBad(String body, String message) throws IOException, InterruptedException {
        HttpResponse<String> r = post("/api/silences", body);
        assertEquals(400, r.statusCode(), body + " → " + r.body());
        assertTrue(new JsonObject(r.body()).getString("error").contains(message), r.body());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.actualPort() + path);
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r =
                HTTP.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
        if (!path.contains("state=open")) assertEquals(200, r.statusCode(), r.body());
        return r;
    }

    private static HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(uri(path))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
