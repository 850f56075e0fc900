package io.redwatch.collector;

import static io.redwatch.collector.testing.PagingRig.item;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.redwatch.agent.Agent;
import io.redwatch.agent.testing.Await;
import io.redwatch.agent.testing.InjectedFaults;
import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.collector.alerting.SmsGatewayServer;
import io.redwatch.collector.config.CollectorConfig;
import io.redwatch.collector.testing.FastAgent;
import io.redwatch.collector.testing.FreshDatabase;
import io.redwatch.collector.testing.LocalChannels;
import io.redwatch.collector.testing.PagingRig;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The incidents of docs/incidents.md reproduced on real redis-server processes, watched by a real agent,
 * diagnosed by the collector and paged to a real SMTP server (GreenMail) and a local SMS gateway —
 * and resolved once the cause is fixed. Each incident runs under its own agent host name, so its
 * messages are grouped apart from the others'.
 *
 * <p>maxmemory_oom and full_resync_loop on this same Redis 7.0 are in {@code VersionMatrixIT}, which
 * runs them on 2.8 and 6.2 too; running them here again only doubled four minutes of CI. What stays
 * here is what the matrix does not do: a disk that refuses the RDB (not a failed fork), a pipe leak
 * far from the descriptor ceiling that must not page maxclients_exhausted, and an agent going quiet.
 */
class IncidentsIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    static FreshDatabase db;
    static GreenMail mail;
    static SmsGatewayServer sms;
    static Collector collector;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws IOException {
        db = FreshDatabase.reserve("incidents_it");
        int smtpPort;
        try (ServerSocket s = new ServerSocket(0)) {
            smtpPort = s.getLocalPort();
        }
        mail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        sms = new SmsGatewayServer();
        Path yaml = dir.resolve("collector.yaml");
        List<String> lines = LocalChannels.alerting(smtpPort, sms);
        lines.addAll(List.of(
                "  routes: {critical: [email, sms], warning: [email]}",
                "  group_wait: 1s",
                "  dispatch_interval: 200ms",
                "  recovery_evaluations: 2",
                "  recovery_period: 2s",
                "  rate_limit: {messages: 1000, per: 10m}",
                "  timezone: UTC"));
        Files.writeString(yaml, String.join("\n", lines) + "\n");
        collector = new Collector(CollectorConfig.load(
                yaml, new CollectorConfig.Overrides(null, 0, 0, db.url(), FreshDatabase.USER, null)));
        collector.start();
    }

    @AfterAll
    static void stop() {
        if (collector != null) collector.close();
        if (sms != null) sms.close();
        if (mail != null) mail.stop();
        if (db != null) db.close();
    }

    @Test
    void bgsaveThatCannotWriteRefusesWritesWithMisconfAndPagesUntilFixed() throws Exception {
        Path rdbDir = Files.createDirectory(dir.resolve("rdb"));
        Path goodDir = Files.createDirectory(dir.resolve("rdb-fixed"));
        // Root ignores permissions, so the RDB dir is removed: redis has chdir'ed into it and cannot
        // create its temp file. CONFIG SET dir is protected in Redis 7 unless enabled at start.
        try (RedisServerProcess redis = RedisServerProcess.start(
                        "--dir", rdbDir.toString(), "--save", "3600 1", "--enable-protected-configs", "yes");
                Agent agent = agent("misconf-host", redis)) {
            String instance = "misconf-host:" + redis.port();
            Files.delete(rdbDir);
            redis.call("SET", "k", "v");
            redis.call("BGSAVE");

            String fired = awaitEmail(item(instance, "CRITICAL", "misconf_writes_refused"));
            assertTrue(
                    fired.contains("CONFIG SET stop-writes-on-bgsave-error no")
                            || fired.contains("stop-writes-on-bgsave-error"),
                    "advice names the setting: " + fired);
            awaitEmail(item(instance, "CRITICAL", "bgsave_failing"));
            String text = awaitSms(t -> t.contains("misconf_writes_refused") || t.contains("bgsave_failing"));
            assertTrue(text.contains(instance) || text.contains("misconf-host"), text);
            assertNoEmail(
                    item(instance, "", "fork_enomem"), "a directory that cannot be written is not a fork failure");
            assertNoEmail(item(instance, "", "instance_down"), "a server that answers MISCONF is up");

            redis.call("CONFIG", "SET", "dir", goodDir.toString());
            redis.call("BGSAVE");
            awaitEmail(item(instance, "RESOLVED", "misconf_writes_refused"));
            awaitEmail(item(instance, "RESOLVED", "bgsave_failing"));
        }
    }

    @Test
    void pipesLeakingIntoTheRedisProcessArePagedAndClearOnceClosed() throws Exception {
        // The leak of seed 003 (Redis < 3.2.9 leaked AOF-rewrite pipes on every failed fork), made
        // inside the process by an LD_PRELOAD library when it forks. (gdb's inferior calls, used
        // before, fail on some kernels: "Couldn't write extended state status: Bad address".)
        InjectedFaults faults = InjectedFaults.compile(dir.resolve("faults"));
        try (RedisServerProcess redis = RedisServerProcess.launch()
                        .environment(faults.environment())
                        .start();
                Agent agent = agent("leak-host", redis)) {
            String instance = "leak-host:" + redis.port();
            Set<Integer> before = pipeFds(redis.pid());
            faults.leakPipes(200);
            redis.call("BGSAVE");
            Set<Integer> leaked = pipeFds(redis.pid());
            leaked.removeAll(before);
            assertTrue(leaked.size() >= 400, "200 pipes are 400 fds: " + leaked.size());

            String fired = awaitEmail(item(instance, "", "fd_leak_pipes"));
            assertTrue(fired.contains("pipe"), fired);
            assertNoEmail(
                    item(instance, "", "maxclients_exhausted"),
                    "400 pipes against a ceiling of 10128 fds is not exhaustion");

            faults.leakPipes(0);
            while (redis.call("INFO", "persistence").contains("rdb_bgsave_in_progress:1")) Thread.sleep(50);
            redis.call("BGSAVE");
            awaitEmail(item(instance, "RESOLVED", "fd_leak_pipes"));
        }
    }

    @Test
    void anAgentThatGoesQuietIsPagedAndResolvesWhenItSpeaksAgain() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            Agent first = agent("quiet-host", redis);
            awaitAgentHeard("quiet-host-agent");
            first.close(); // the agent stops talking (a crash, a network partition, a stopped unit)

            String fired = awaitEmail(body -> body.contains("WARNING agent_silent on quiet-host"));
            assertTrue(fired.contains("systemctl status redwatch-agent"), "advice says where to look: " + fired);

            try (Agent again = agent("quiet-host", redis)) {
                awaitEmail(body -> body.contains("RESOLVED agent_silent on quiet-host"));
            }
        }
    }

    private static Agent agent(String hostname, RedisServerProcess... servers) {
        return FastAgent.start(collector.grpcPort(), dir, hostname, servers);
    }

    private static void awaitAgentHeard(String agentId) {
        Await.until("the collector stores a batch of agent " + agentId, WAIT, () -> {
            try (var c = db.connect();
                    var ps = c.prepareStatement(
                            "select count(*) from redwatch_agents where agent_id = ? and last_seq > 0")) {
                ps.setString(1, agentId);
                var rs = ps.executeQuery();
                return rs.next() && rs.getLong(1) > 0;
            }
        });
    }

    private static String awaitEmail(Predicate<String> wanted) {
        return PagingRig.awaitEmail(mail, WAIT, wanted);
    }

    private static void assertNoEmail(Predicate<String> unwanted, String why) throws Exception {
        for (MimeMessage m : mail.getReceivedMessages()) {
            assertFalse(
                    unwanted.test(String.valueOf(m.getContent()).replace("\r\n", "\n")), why + ": " + m.getSubject());
        }
    }

    private static String awaitSms(Predicate<String> wanted) {
        return PagingRig.awaitSms(sms, WAIT, wanted);
    }

    private static Set<Integer> pipeFds(long pid) throws IOException {
        Set<Integer> out = new HashSet<>();
        try (var fds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("pipe:"))
                        out.add(Integer.parseInt(fd.getFileName().toString()));
                } catch (IOException gone) {
                    // closed while listing
                }
            }
        }
        return out;
    }
}
