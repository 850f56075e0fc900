package io.redwatch.collector.doctor;

import static org.junit.jupiter.api.Assertions.*;

import io.redwatch.agent.AgentMain;
import io.redwatch.agent.testing.Fixtures;
import io.redwatch.collector.CollectorMain;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code redwatch-collector doctor} as a person runs it: on what the real agent's {@code snapshot
 * --json} prints for the seeds, through the collector's own command line.
 */
class DoctorCommandTest {
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
        JsonArray findings() {
            return new JsonObject(out).getJsonArray("findings");
        }

        Set<String> rules() {
            Set<String> s = new HashSet<>();
            for (int i = 0; i < findings().size(); i++)
                s.add(findings().getJsonObject(i).getString("rule"));
            return s;
        }
    }

    private static Path resource(String name) {
        try {
            return Path.of(DoctorCommandTest.class.getResource("/rules/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Run collector(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new CollectorMain());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** The real agent, in this JVM: {@code redwatch-agent snapshot --json ...}. */
    private static String agentSnapshot(String... args) {
        StringWriter out = new StringWriter();
        String[] all = new String[args.length + 2];
        all[0] = "snapshot";
        System.arraycopy(args, 0, all, 1, args.length);
        all[all.length - 1] = "--json";
        assertEquals(
                0,
                AgentMain.execute(all, new PrintWriter(out), new PrintWriter(new StringWriter())),
                "agent snapshot " + List.of(args));
        return out.toString();
    }

    @Test
    void agentSnapshotOfSeed004GivesForkEnomemAndMisconfAndExit1() throws Exception {
        Path snap = tmp.resolve("seed-004.json");
        Files.writeString(
                snap,
                agentSnapshot(
                        "--log-file", Fixtures.file("/logs/seed-004.log", tmp).toString(), "--instance", "db1:6379"));
        Run r = collector("doctor", "--json", snap.toString());
        assertEquals(1, r.exit(), r.err());
        assertEquals(Set.of("fork_enomem", "bgsave_failing", "misconf_writes_refused"), r.rules());
        JsonObject first = r.findings().getJsonObject(0);
        for (String key : List.of("rule", "severity", "instance", "summary", "evidence", "advice"))
            assertTrue(first.containsKey(key), key);
        assertEquals("critical", first.getString("severity"));
        assertEquals("db1:6379", first.getString("instance"));
        assertTrue(
                first.getString("summary")
                        .startsWith("db1:6379 cannot save: fork() fails for lack of memory (5 times since "),
                first.getString("summary"));
        assertTrue(first.getJsonArray("evidence")
                .getString(0)
                .endsWith("log: Can't save in background: fork: Cannot allocate memory"));
    }

    @Test
    void agentSnapshotsOfSeed002MasterAndReplicaReadTogether() throws Exception {
        Path snap = tmp.resolve("seed-002.json");
        Files.writeString(
                snap,
                agentSnapshot(
                                "--log-file",
                                Fixtures.file("/logs/seed-002.log", tmp).toString(),
                                "--info-file",
                                resource("seed-002-master-info.txt").toString(),
                                "--instance",
                                "192.168.10.226:6379")
                        + agentSnapshot(
                                "--info-file",
                                resource("seed-002-replica-info.txt").toString(),
                                "--instance",
                                "192.168.10.82:6379"));
        Run r = collector("doctor", "--json", snap.toString());
        assertEquals(1, r.exit(), r.err());
        assertEquals(
                Set.of(
                        "full_resync_loop",
                        "output_buffer_limit_kill",
                        "backlog_too_small",
                        "bgsave_slow",
                        "repl_link_down",
                        "diskless_sync_stuck"),
                r.rules());
        for (int i = 0; i < r.findings().size(); i++) {
            JsonObject f = r.findings().getJsonObject(i);
            String expected = Set.of("repl_link_down", "diskless_sync_stuck").contains(f.getString("rule"))
                    ? "192.168.10.82:6379"
                    : "192.168.10.226:6379";
            assertEquals(expected, f.getString("instance"), f.getString("rule"));
        }
    }

    @Test
    void committedSeed003SnapshotWithProcessFactsNamesThePipeLeak() {
        Run r = collector("doctor", "--json", resource("seed-003.json").toString());
        assertEquals(1, r.exit());
        assertTrue(
                r.rules()
                        .containsAll(
                                Set.of("fd_leak_pipes", "maxclients_exhausted", "aof_rewrite_failing", "fork_enomem")),
                r.rules().toString());
        assertFalse(r.rules().contains("bgsave_failing"));
        assertFalse(r.rules().contains("misconf_writes_refused"));
    }

    @Test
    void textReportMostSevereFirst() {
        Run r = collector("doctor", "--zone", "UTC", resource("seed-000.json").toString());
        assertEquals(1, r.exit());
        String out = r.out();
        assertTrue(out.startsWith("9 findings for 1 instance, most severe first."), out);
        int lastCritical = out.lastIndexOf("\nCRITICAL  ");
        int firstWarning = out.indexOf("\nWARNING  ");
        assertTrue(lastCritical >= 0 && firstWarning > lastCritical, out);
        assertTrue(out.contains("CRITICAL  full_resync_loop  mob28:6666"), out);
        assertTrue(out.contains("  advice: Stop the loop:"), out);
    }

    @Test
    void healthyServerExitsZero() throws Exception {
        Path snap = tmp.resolve("healthy.json");
        Files.writeString(
                snap,
                agentSnapshot(
                        "--info-file",
                        Fixtures.file("/info/redis-7.0.15-master-everything.txt", tmp)
                                .toString()));
        Run json = collector("doctor", "--json", snap.toString());
        assertEquals(0, json.exit(), json.out());
        assertEquals(0, json.findings().size());
        Run text = collector("doctor", snap.toString());
        assertEquals(0, text.exit());
        assertTrue(text.out().startsWith("No findings"), text.out());
    }

    @Test
    void readsStandardInput() throws Exception {
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream(Files.readAllBytes(resource("seed-004.json"))));
            Run r = collector("doctor", "--json", "-");
            assertEquals(1, r.exit(), r.err());
            assertTrue(r.rules().contains("fork_enomem"));
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void badInputExitsTwoWithOneLine() throws Exception {
        Run missing = collector("doctor", tmp.resolve("nope.json").toString());
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("no such file"), missing.err());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());

        Path text = tmp.resolve("redis.log");
        Files.writeString(text, "420:M 14 Sep 15:56:27.067 # Can't save in background: fork: Cannot allocate memory\n");
        Run notJson = collector("doctor", text.toString());
        assertEquals(2, notJson.exit());
        assertTrue(
                notJson.err()
                        .startsWith("redwatch-collector doctor: " + text
                                + " is not snapshot JSON (it starts with \"420:M 14 Sep"),
                notJson.err());
        assertTrue(notJson.err().contains("redwatch-agent snapshot --log-file"), notJson.err());

        Path broken = tmp.resolve("broken.json");
        Files.writeString(broken, "{\"records\": [");
        Run cut = collector("doctor", broken.toString());
        assertEquals(2, cut.exit());
        assertTrue(cut.err().contains(": not JSON after 0 snapshot(s)"), cut.err());

        Path wrong = tmp.resolve("wrong.json");
        Files.writeString(wrong, "{\"records\": 5}");
        Run notSnapshot = collector("doctor", wrong.toString());
        assertEquals(2, notSnapshot.exit());
        assertTrue(notSnapshot.err().contains("is not a redwatch Snapshot"), notSnapshot.err());

        Path empty = tmp.resolve("empty.json");
        Files.writeString(empty, "  \n");
        Run none = collector("doctor", empty.toString());
        assertEquals(2, none.exit());
        assertTrue(none.err().contains("holds no snapshot"), none.err());

        Path latin1 = tmp.resolve("latin1.json");
        Files.write(latin1, "{\"hostname\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(2, collector("doctor", latin1.toString()).exit());

        assertEquals(2, collector("doctor", "--no-such-option").exit());
        assertEquals(
                2,
                collector(
                                "doctor",
                                "--zone",
                                "Mars/Olympus",
                                resource("seed-004.json").toString())
                        .exit());
    }
}
