package io.redwatch.collector.faults;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.redwatch.agent.testing.Await;
import io.redwatch.agent.testing.InjectedFaults;
import io.redwatch.agent.testing.RedisRelease;
import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.collector.alerting.SmsGatewayServer;
import io.redwatch.collector.testing.FreshDatabase;
import io.redwatch.collector.testing.LocalChannels;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long a page takes: from the moment a real redis-server writes "Can't save in background:
 * fork: Cannot allocate memory" (fork() made to fail with ENOMEM by an LD_PRELOAD library) until
 * GreenMail has accepted the email and the local SMS gateway has received the webhook POST. The
 * agent and the collector are the built jars, run as processes with their default settings (agent:
 * 10 s interval, 1 s log poll; collector: group_wait 0, 2 s dispatch tick), except group_interval,
 * set to 1 s because every repetition is a new incident on this same host and must not wait
 * behind the previous one's group.
 *
 * <p>Not part of the normal test run, and it asserts nothing about time: run it with
 * {@code deploy/bench/page-latency.sh [N] [REDIS_SERIES]}; the figures are in docs/benchmarks.md.
 */
class PageLatencyBenchmarkIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void pageLatencyFromTheInjectedFaultsLineToTheSmtpServerAndTheSmsGateway() throws Exception {
        assumeTrue(Boolean.getBoolean("redwatch.benchmark"), "run with -Dredwatch.benchmark=true");
        int repetitions = Integer.getInteger("redwatch.benchmark.repetitions", 10);
        RedisRelease release = RedisRelease.of(System.getProperty("redwatch.benchmark.redis", "7.0"));
        Path logs = ModuleDir.logDir(getClass().getSimpleName(), "pageLatency");
        int smtpPort;
        try (ServerSocket s = new ServerSocket(0)) {
            smtpPort = s.getLocalPort();
        }
        GreenMail mail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        try (FreshDatabase db = FreshDatabase.create("page_latency_bench");
                SmsGatewayServer sms = new SmsGatewayServer()) {
            Path yaml = dir.resolve("collector.yaml");
            List<String> lines = LocalChannels.alerting(smtpPort, sms);
            lines.addAll(List.of("  group_interval: 1s", "  rate_limit: {messages: 1000, per: 10m}"));
            Files.writeString(yaml, String.join("\n", lines) + "\n");
            CollectorProcess collector = new CollectorProcess("collector", db.url(), yaml, logs).start();
            InjectedFaults forks = InjectedFaults.compile(dir.resolve("forkfail"));
            List<Long> email = new ArrayList<>();
            List<Long> text = new ArrayList<>();
            try {
                for (int i = 1; i <= repetitions; i++) {
                    long[] ms = once(i, release, forks, collector, db, mail, sms, logs);
                    email.add(ms[0]);
                    text.add(ms[1]);
                    System.out.printf(Locale.ROOT, "page latency run %d: email %d ms, sms %d ms%n", i, ms[0], ms[1]);
                }
            } finally {
                collector.stop();
            }
            System.out.printf(
                    Locale.ROOT,
                    "page latency over %d runs on redis %s (fork-failure line → accepted):%n",
                    repetitions,
                    release.series());
            System.out.println("  email: " + summary(email));
            System.out.println("  sms:   " + summary(text));
        } finally {
            mail.stop();
        }
    }

    /** One incident on a fresh server watched by a fresh agent; returns {email ms, sms ms}. */
    private long[] once(
            int run,
            RedisRelease release,
            InjectedFaults forks,
            CollectorProcess collector,
            FreshDatabase db,
            GreenMail mail,
            SmsGatewayServer sms,
            Path logs)
            throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.launch()
                .release(release)
                .environment(forks.environment())
                .start("--save", "3600", "1")) {
            redis.call("SET", "k", "v");
            JavaProcess agent = JavaProcess.start(
                    "agent-" + run,
                    ModuleDir.agentJar(),
                    List.of("-Xmx64m"),
                    List.of(
                            "run",
                            "--collector",
                            "127.0.0.1:" + collector.grpcPort(),
                            "--redis",
                            "redis://" + redis.address(),
                            "--log-file",
                            redis.logFile().toString(),
                            "--state-dir",
                            dir.resolve("state-" + run).toString(),
                            "--agent-id",
                            "bench-" + run),
                    logs.resolve("agent-" + run + ".log"));
            try {
                agent.awaitLog("watching", WAIT);
                // The collector judges an instance once its CONFIG is in; until then nothing could page.
                awaitStored(db, "SELECT count(*) FROM redwatch_config WHERE instance LIKE ?", "%:" + redis.port());
                // What the first evaluation sends (the host's overcommit warning) would hold the page
                // for group_interval: let it go out first, and that interval pass.
                quiet(mail, sms);

                int mailsBefore = mail.getReceivedMessages().length;
                int textsBefore = sms.requests().size();
                forks.failForks();
                long start = System.currentTimeMillis();
                try {
                    redis.call("BGSAVE");
                } catch (RedisServerProcess.RedisErrorReply expected) {
                    // the fork failed; the log line is written while BGSAVE is answered
                }
                long emailAt = 0;
                long textAt = 0;
                long deadline = System.nanoTime() + WAIT.toNanos();
                while ((emailAt == 0 || textAt == 0) && System.nanoTime() < deadline) {
                    // The page may carry several alerts (bgsave_failing, fork_enomem, …): the subject names
                    // only the first, the body all of them; before the fault only warnings went out,
                    // and warnings are not sent by SMS, so any critical SMS now is the page.
                    if (emailAt == 0 && anyEmailSince(mail, mailsBefore, "fork_enomem"))
                        emailAt = System.currentTimeMillis();
                    if (textAt == 0 && anyTextSince(sms, textsBefore, "[CRITICAL]"))
                        textAt = System.currentTimeMillis();
                    Thread.sleep(5);
                }
                if (emailAt == 0 || textAt == 0) throw new AssertionError("run " + run + ": no page within " + WAIT);
                return new long[] {emailAt - start, textAt - start};
            } finally {
                forks.allowForks();
                agent.stop(Duration.ofSeconds(10));
            }
        }
    }

    private static void quiet(GreenMail mail, SmsGatewayServer sms) throws InterruptedException {
        int mails = -1;
        int texts = -1;
        // Settled once nothing new arrived for 3 s (the dispatch tick is 2 s; group_interval 1 s).
        for (int stable = 0; stable < 30; ) {
            int m = mail.getReceivedMessages().length;
            int t = sms.requests().size();
            stable = m == mails && t == texts ? stable + 1 : 0;
            mails = m;
            texts = t;
            Thread.sleep(100);
        }
    }

    private static boolean anyEmailSince(GreenMail mail, int before, String rule) throws Exception {
        MimeMessage[] all = mail.getReceivedMessages();
        for (int i = before; i < all.length; i++) {
            if (String.valueOf(all[i].getContent()).contains(rule + " on ")) return true;
        }
        return false;
    }

    private static boolean anyTextSince(SmsGatewayServer sms, int before, String start) {
        List<SmsGatewayServer.Request> all = sms.requests();
        for (int i = before; i < all.size(); i++) {
            if (new JsonObject(all.get(i).body()).getString("text").startsWith(start)) return true;
        }
        return false;
    }

    private static void awaitStored(FreshDatabase db, String sql, String param) {
        Await.until(sql + " for " + param + " counts a row", WAIT, () -> {
            try (Connection c = db.connect();
                    PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, param);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getLong(1) > 0;
                }
            }
        });
    }

    private static String summary(List<Long> ms) {
        List<Long> s = new ArrayList<>(ms);
        Collections.sort(s);
        return String.format(
                Locale.ROOT,
                "p50 %d ms, p90 %d ms, max %d ms (min %d ms)",
                s.get((s.size() - 1) / 2),
                s.get((int) Math.ceil(0.9 * s.size()) - 1),
                s.get(s.size() - 1),
                s.get(0));
    }
}
