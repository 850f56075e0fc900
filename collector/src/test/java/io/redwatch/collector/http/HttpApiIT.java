package io.redwatch.collector.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.redwatch.collector.alerting.Alerting;
import io.redwatch.collector.config.CollectorConfig;
import io.redwatch.collector.ingest.IngestMetrics;
import io.redwatch.collector.storage.Database;
import io.redwatch.collector.testing.FreshDatabase;
import io.redwatch.common.config.Secret;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP API's edges on a real Vert.x server and a real database: content types, uploads, /health. */
class HttpApiIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static FreshDatabase database;
    private static HikariDataSource db;
    private static Vertx vertx;
    private static WorkerExecutor workers;
    private static Alerting alerting;
    private static HttpServer server;
    private static final AtomicReference<Optional<String>> deadLetters = new AtomicReference<>(Optional.empty());

    @BeforeAll
    static void start() throws Exception {
        database = FreshDatabase.create("http_api_it");
        db = Database.open(database.url(), FreshDatabase.USER, "", 2);
        vertx = Vertx.vertx();
        workers = vertx.createSharedWorkerExecutor("http-api-it", 2);
        alerting = new Alerting(
                vertx,
                db,
                CollectorConfig.load(null, CollectorConfig.Overrides.none()).alerting(),
                List.of(),
                "http-api-it");
        server = listen(db, new HttpApi(vertx, db, new IngestMetrics()).withHealthSignal(deadLetters::get));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        alerting.close();
        workers.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        db.close();
        database.close();
    }

    private static HttpServer listen(DataSource ds, HttpApi api) throws Exception {
        return api.listen("127.0.0.1", 0, Secret.none(), null, r -> new AlertingRoutes(workers, alerting).mount(r))
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void aSilenceSentAsTextPlainLikeACrossSiteFormIsRefusedWith415AndNotStored() throws Exception {
        String silence = "{\"rule\":\"fork_enomem\",\"duration\":\"2h\",\"comment\":\"from another site\"}";
        for (String type :
                List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x")) {
            HttpResponse<String> r = post(server, "/api/silences", type, silence);
            assertEquals(415, r.statusCode(), type + ": " + r.body());
            assertTrue(
                    new JsonObject(r.body()).getString("error").contains("Content-Type: application/json"), r.body());
        }
        assertEquals(0, new JsonArray(get(server, "/api/silences").body()).size(), "nothing stored");

        HttpResponse<String> ok = post(server, "/api/silences", "application/json; charset=utf-8", silence);
        assertEquals(201, ok.statusCode(), ok.body());
        assertEquals(1, new JsonArray(get(server, "/api/silences").body()).size());
    }

    @Test
    void aMultipartUploadLeavesNoUploadDirectory() throws Exception {
        Path uploads = Path.of("file-uploads").toAbsolutePath();
        String body = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n" + "x".repeat(10_000) + "\r\n--b--\r\n";
        assertEquals(
                415,
                post(server, "/api/silences", "multipart/form-data; boundary=b", body)
                        .statusCode());

        // The silence route's own body handler, with nothing in front of it, writes no file either.
        io.vertx.ext.web.Router bare = io.vertx.ext.web.Router.router(vertx);
        new AlertingRoutes(workers, alerting).mount(bare);
        HttpServer s = vertx.createHttpServer()
                .requestHandler(bare)
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        try {
            HttpResponse<String> r = post(s, "/api/silences", "multipart/form-data; boundary=b", body);
            assertEquals(400, r.statusCode(), r.body());
        } finally {
            s.close();
        }
        assertFalse(Files.exists(uploads), uploads + " was created");
    }

    @Test
    void healthIsOkWhileTheDatabaseAnswersAndNamesDeadLettersWithoutDetails() throws Exception {
        HttpResponse<String> ok = get(server, "/health");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("ok", new JsonObject(ok.body()).getString("status"));

        deadLetters.set(Optional.of("dead-lettered batches: 3"));
        try {
            HttpResponse<String> bad = get(server, "/health");
            assertEquals(503, bad.statusCode(), bad.body());
            assertEquals("degraded", new JsonObject(bad.body()).getString("status"));
            assertEquals("dead-lettered batches: 3", new JsonObject(bad.body()).getString("reason"));
        } finally {
            deadLetters.set(Optional.empty());
        }
    }

    @Test
    void healthOfAnUnreachableDatabaseSaysSoWithoutHostUserOrJdbcText() throws Exception {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/secretdb?password=hunter2");
        c.setUsername("secretuser");
        c.setConnectionTimeout(1000);
        c.setInitializationFailTimeout(-1);
        try (HikariDataSource down = new HikariDataSource(c)) {
            HttpServer s = listen(down, new HttpApi(vertx, down, new IngestMetrics()));
            try {
                HttpResponse<String> r = get(s, "/health");
                assertEquals(503, r.statusCode(), r.body());
                JsonObject j = new JsonObject(r.body());
                assertEquals("unavailable", j.getString("status"));
                assertTrue(j.getString("reason").startsWith("database unreachable"), r.body());
                for (String leak : List.of(
                        "127.0.0.1",
                        "secretdb",
                        "secretuser",
                        "hunter2",
                        "jdbc",
                        "Connection",
                        "refused",
                        "Exception",
                        "5432",
                        ":1")) {
                    assertFalse(r.body().contains(leak), "'" + leak + "' in " + r.body());
                }
            } finally {
                s.close();
            }
        }
    }

    private static HttpResponse<String> get(HttpServer s, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.actualPort() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(HttpServer s, String path, String type, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.actualPort() + path))
                        .header("Content-Type", type)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
