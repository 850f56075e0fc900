package io.redwatch.collector.ingest;

import static io.redwatch.collector.ingest.TrustRig.batch;
import static io.redwatch.collector.ingest.TrustRig.ping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.redwatch.collector.testing.LogCapture;
import io.redwatch.collector.testing.WireClient;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.CollectorMessage;
import io.redwatch.proto.v1.Gap;
import io.redwatch.proto.v1.Record;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch PostgreSQL refuses for good (a value out of its range) and a batch with a record kind
 * from a newer agent: each is kept in dead_letters, acknowledged, counted and shown on /health,
 * and the agent's next batch is stored as usual.
 */
class DeadLetterIT {
    @TempDir
    static Path dir;

    static TrustRig rig;
    static LogCapture collectorLog;

    @BeforeAll
    static void start() throws Exception {
        collectorLog = new LogCapture("io.redwatch.collector");
        rig = new TrustRig(dir, "dead_letter_it");
    }

    @AfterAll
    static void stop() {
        if (rig != null) rig.close();
        if (collectorLog != null) collectorLog.close();
    }

    @Test
    void poisonBatchesAreKeptAcknowledgedAndReported() throws Exception {
        String token = rig.tokens.create("poison-agent", null);
        int mark = collectorLog.mark();
        long now = System.currentTimeMillis();
        // a record of a kind this collector does not know (field 99 of Record, from a newer agent)
        Record fromTheFuture = Record.newBuilder()
                .setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(
                                99,
                                UnknownFieldSet.Field.newBuilder()
                                        .addLengthDelimited(ByteString.copyFromUtf8("new kind"))
                                        .build())
                        .build())
                .build();
        Batch unknownKind = batch(1, ping("poison-host:6379", now, "PONG in poison"), fromTheFuture);
        // a gap whose time PostgreSQL cannot hold (timestamp out of range, SQLState 22008)
        Batch outOfRange = batch(
                2,
                Record.newBuilder()
                        .setGap(Gap.newBuilder()
                                .setFromMs(Long.MAX_VALUE)
                                .setToMs(Long.MAX_VALUE)
                                .setReason("broken clock"))
                        .build());
        try (WireClient c = new WireClient(rig.port(), "poison-agent", token)) {
            c.hello("poison-agent", 1000);
            assertTrue(c.next().hasWelcome());
            c.batch(unknownKind);
            CollectorMessage first = c.next();
            assertEquals(1, first.getAck().getSeq(), first.toString());
            assertTrue(first.getAck().getRefused().contains("dead letters"), first.toString());
            c.batch(outOfRange);
            CollectorMessage second = c.next();
            assertEquals(2, second.getAck().getSeq(), second.toString());
            assertTrue(second.getAck().getRefused().contains("dead letters"), second.toString());
            c.batch(batch(3, ping("poison-host:6379", now, "PONG after")));
            CollectorMessage third = c.next();
            assertEquals(3, third.getAck().getSeq());
            assertEquals("", third.getAck().getRefused());
        }
        assertEquals(3, rig.lastSeq("poison-agent"));
        assertEquals(1, rig.count("select count(*) from pings where reply = 'PONG after'"), "the agent goes on");
        assertEquals(0, rig.count("select count(*) from pings where reply = 'PONG in poison'"));
        try (Connection c = rig.db.connect();
                ResultSet rs = c.createStatement()
                        .executeQuery("select seq, sql_state, reason, records, batch from dead_letters order by seq")) {
            assertTrue(rs.next());
            assertEquals(1, rs.getLong(1));
            assertTrue(rs.getString(3).contains("kind this collector does not know"), rs.getString(3));
            assertEquals(unknownKind, Batch.parseFrom(rs.getBytes(5)), "kept whole, to be replayed after an upgrade");
            assertTrue(rs.next());
            assertEquals(2, rs.getLong(1));
            assertTrue(
                    rs.getString(2).startsWith("22"), "a data exception: " + rs.getString(2) + " " + rs.getString(3));
            assertFalse(rs.next());
        }
        assertEquals(2, rig.metrics().batchesDeadLettered.get());
        HttpClient http = HttpClient.newHttpClient();
        String metrics = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rig.collector.httpPort() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        assertTrue(metrics.contains("redwatch_ingest_batches_dead_lettered_total 2"), metrics);
        HttpResponse<String> health = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rig.collector.httpPort() + "/health"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        assertTrue(
                health.body().contains("\"status\":\"degraded\"")
                        && health.body().contains("dead_letters"),
                health.body());
        assertFalse(
                health.body().contains("poison-host")
                        || health.body().contains("poison-agent")
                        || health.body().contains("postgres"),
                "no names or credentials on /health: " + health.body());
        List<String> lines = collectorLog.since(mark);
        assertEquals(2, LogCapture.count(lines, "kept whole in dead_letters"), String.join("\n", lines));
    }
}
