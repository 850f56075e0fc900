package io.redwatch.collector.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.agent.Agent;
import io.redwatch.agent.testing.Await;
import io.redwatch.agent.testing.InjectedFaults;
import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.collector.CollectorMain;
import io.redwatch.collector.testing.FreshDatabase;
import io.redwatch.collector.testing.PagingRig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code doctor --db-url … --instance … --at …}: a post-mortem over what PostgreSQL holds. A real
 * redis-server whose fork() fails (LD_PRELOAD) is watched by a real agent and stored by a real
 * collector; then doctor judges the stored history at a moment inside the incident and at moments
 * after it was fixed.
 */
class DoctorHistoryIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    static PagingRig rig;

    record Run(int exit, String out, String err) {
        Set<String> rules() {
            JsonArray f = new JsonObject(out).getJsonArray("findings");
            Set<String> s = new HashSet<>();
            for (int i = 0; i < f.size(); i++) s.add(f.getJsonObject(i).getString("rule"));
            return s;
        }

        Set<String> criticalRules() {
            JsonArray f = new JsonObject(out).getJsonArray("findings");
            Set<String> s = new HashSet<>();
            for (int i = 0; i < f.size(); i++) {
                if ("critical".equals(f.getJsonObject(i).getString("severity")))
                    s.add(f.getJsonObject(i).getString("rule"));
            }
            return s;
        }
    }

    @BeforeAll
    static void start() {
        rig = new PagingRig("doctor_history_it", dir, WAIT);
    }

    @AfterAll
    static void stop() {
        if (rig != null) rig.close();
    }

    @Test
    void aStoredInjectedFaultsIsDiagnosedAtAMomentInsideItAndNotInAWindowAfterTheFix() throws Exception {
        InjectedFaults forks = InjectedFaults.compile(dir.resolve("forkfail"));
        try (RedisServerProcess redis = RedisServerProcess.launch()
                        .environment(forks.environment())
                        .start("--save", "3600", "1");
                Agent agent = rig.agent("postmortem-host", redis)) {
            String instance = "postmortem-host:" + redis.port();
            awaitStored("SELECT count(*) FROM redwatch_config WHERE instance = ?", instance);

            forks.failForks();
            redis.call("SET", "k", "v");
            try {
                redis.call("BGSAVE");
            } catch (RedisServerProcess.RedisErrorReply expected) {
                // the fork failed: "ERR" (the log says why)
            }
            awaitStored(
                    "SELECT count(*) FROM redwatch_log_events WHERE instance = ? AND message LIKE '%fork: Cannot allocate memory%'",
                    instance);
            awaitStored(
                    "SELECT count(*) FROM redwatch_info WHERE instance = ? AND rdb_last_bgsave_status = 'err'",
                    instance);
            // --at as a person types it has whole seconds: judge at the first whole second after the fault
            // was stored, so cutting the moment to the second cannot leave the fault's own facts after it.
            long inside = (System.currentTimeMillis() / 1000 + 1) * 1000;
            Thread.sleep(Math.max(0, inside - System.currentTimeMillis() + 1));

            forks.allowForks();
            redis.call("BGSAVE");
            long fixed = awaitStored(
                    "SELECT count(*) FROM redwatch_info WHERE instance = ? AND rdb_last_bgsave_status = 'ok'"
                            + " AND ts > now() - interval '1 second'",
                    instance);
            // Three more seconds of healthy samples, so a short window after the fix holds only them.
            awaitStored(
                    "SELECT count(*) FROM redwatch_info WHERE instance = ? AND ts > to_timestamp("
                            + (fixed + 3000) / 1000.0 + ")",
                    instance);
            long after = System.currentTimeMillis();

            Run during = doctor("--json", "--instance", instance, "--at", iso(inside), "--window", "10m");
            assertEquals(1, during.exit(), during.err() + during.out());
            assertTrue(
                    during.rules().containsAll(Set.of("fork_enomem", "bgsave_failing", "misconf_writes_refused")),
                    during.out());

            Run text = doctor("--instance", instance, "--at", local(inside), "--zone", "UTC");
            assertEquals(1, text.exit(), text.err());
            assertTrue(text.out().contains("CRITICAL  fork_enomem  " + instance), text.out());
            assertTrue(text.out().contains("Can't save in background: fork: Cannot allocate memory"), text.out());

            Run healthy = doctor("--json", "--instance", instance, "--at", iso(after), "--window", "2s");
            assertEquals(Set.of(), healthy.criticalRules(), healthy.out());
            assertEquals(0, healthy.exit(), healthy.err());
            assertFalse(healthy.rules().contains("fork_enomem"), healthy.out());

            // A post-mortem an hour's window wide still tells what happened, although it recovered.
            Run postMortem = doctor("--json", "--instance", instance, "--at", iso(after), "--window", "1h");
            assertTrue(postMortem.rules().contains("fork_enomem"), postMortem.out());
        }
    }

    @Test
    void badUsageIsExitTwoWithAMessage() {
        Run noInstance = doctor("--at", "2026-11-21 03:10");
        assertEquals(2, noInstance.exit());
        assertTrue(noInstance.err().contains("--instance"), noInstance.err());

        Run unknown = doctor("--instance", "nowhere:6379");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("no instance nowhere:6379"), unknown.err());

        Run badTime = doctor("--instance", "nowhere:6379", "--at", "yesterday");
        assertEquals(2, badTime.exit());
        assertTrue(badTime.err().contains("--at yesterday is no time"), badTime.err());

        Run withoutDb = collector("doctor", "--at", "2026-11-21 03:10");
        assertEquals(2, withoutDb.exit());
        assertTrue(withoutDb.err().contains("--db-url"), withoutDb.err());
    }

    private static Run doctor(String... args) {
        String[] all = new String[args.length + 5];
        all[0] = "doctor";
        all[1] = "--db-url";
        all[2] = rig.db().url();
        all[3] = "--db-user";
        all[4] = FreshDatabase.USER;
        System.arraycopy(args, 0, all, 5, args.length);
        return collector(all);
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

    private static String iso(long ms) {
        return Instant.ofEpochMilli(ms).toString();
    }

    private static String local(long ms) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
                .format(Instant.ofEpochMilli(ms).atOffset(ZoneOffset.UTC));
    }

    /** Waits until the query (one parameter: the instance) counts a row; returns when it did. */
    private static long awaitStored(String sql, String instance) {
        return Await.value(sql + " for " + instance + " counts a row", WAIT, () -> {
            try (Connection c = rig.db().connect();
                    PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, instance);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getLong(1) > 0 ? System.currentTimeMillis() : null;
                }
            }
        });
    }
}
