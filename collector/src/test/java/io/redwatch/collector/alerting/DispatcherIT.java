package io.redwatch.collector.alerting;

import static io.redwatch.collector.alerting.PipelineHarness.body;
import static io.redwatch.collector.alerting.PipelineHarness.finding;
import static io.redwatch.collector.alerting.PipelineHarness.subject;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.collector.rules.Finding;
import io.redwatch.collector.rules.Severity;
import jakarta.mail.internet.MimeMessage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The outbox under load, under concurrency and across a crash. */
class DispatcherIT {
    private static final Logger LOG = Logger.getLogger(DispatcherIT.class.getName());
    private static final long S = 1000;
    private static PipelineHarness h;
    private long t0;

    @BeforeAll
    static void start() {
        h = new PipelineHarness("dispatcher_it");
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @BeforeEach
    void reset() {
        h.reset();
        t0 = System.currentTimeMillis();
    }

    /**
     * 20,000 findings (100 rules on each of 200 instances of one host) arriving in ten waves: the
     * first waves go out one message each, the rate limit holds back the rest, and once the window
     * has room one message tells how many were held back.
     */
    @Test
    void aStormOf20000FindingsIsAHandfulOfMessagesWithTheSuppressedCountSummarised() {
        Alerting a = h.alerting(h.config("rate_limit: {messages: 3, per: 10m}"), "d1");
        long start = System.nanoTime();
        long t = t0;
        int findings = 0;
        for (int wave = 0; wave < 10; wave++) {
            for (int i = 0; i < 20; i++) {
                String instance = "db1:" + (7000 + wave * 20 + i);
                List<Finding> list = new ArrayList<>();
                for (int r = 0; r < 100; r++)
                    list.add(finding(String.format("rule_%02d", r), Severity.CRITICAL, instance));
                findings += list.size();
                a.evaluate(instance, "db1", list, t);
            }
            a.dispatcher().dispatchOnce(t + 30 * S);
            t += 40 * S;
        }
        long evalMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(20_000, findings);
        assertEquals(20_000, h.count("SELECT count(*) FROM redwatch_alerts WHERE state = 'firing'"));
        assertEquals(3, h.emails().size(), "three waves sent, seven held back by the rate limit");
        assertEquals(3, h.texts().size());
        assertEquals(
                2 * 14_000,
                h.count("SELECT count(*) FROM redwatch_notifications WHERE status = 'suppressed'"
                        + " AND suppressed_by = 'rate_limit'"));
        MimeMessage first = h.emails().get(0);
        assertTrue(subject(first).startsWith("[CRITICAL] 2000 alerts on db1: rule_00 on db1:7000"), subject(first));
        assertTrue(body(first).contains("- and 1790 more"), "a storm stays a readable message");

        // The window has room again: one message says what was held back, on each channel.
        assertEquals(2, a.dispatcher().dispatchOnce(t0 + 11 * 60 * S));
        List<MimeMessage> mails = h.emails();
        assertEquals(4, mails.size());
        MimeMessage summary = mails.get(3);
        assertTrue(subject(summary).startsWith("[redwatch] 14000 alerts suppressed since "), subject(summary));
        assertTrue(body(summary).contains("And 14000 more alerts suppressed by the rate limit since"), body(summary));
        assertTrue(body(summary).contains("rule_00 ×140"), body(summary));
        String text = h.texts().get(3);
        assertTrue(text.startsWith("[redwatch] 14000 alerts suppressed since "), text);
        assertEquals(
                0,
                h.count("SELECT count(*) FROM redwatch_notifications WHERE suppressed_by = 'rate_limit'"
                        + " AND message_id IS NULL"),
                "every suppressed one told once");
        assertEquals(0, a.dispatcher().dispatchOnce(t0 + 12 * 60 * S), "and not told again");
        LOG.info("storm: 20000 findings on 200 instances evaluated and dispatched in " + evalMs + " ms");
    }

    @Test
    void oneWaveOfAStormIsOneMessagePerChannel() {
        Alerting a = h.alerting(h.config(), "d1");
        for (int i = 0; i < 200; i++) {
            String instance = "db1:" + (7000 + i);
            a.evaluate(
                    instance,
                    "db1",
                    List.of(
                            finding("fork_enomem", Severity.CRITICAL, instance),
                            finding("maxmemory_near", Severity.WARNING, instance)),
                    t0 + i);
        }
        assertEquals(2, a.dispatcher().dispatchOnce(t0 + 31 * S));
        assertEquals(1, h.emails().size());
        assertTrue(
                subject(h.emails().get(0)).startsWith("[CRITICAL] 400 alerts on db1: "),
                subject(h.emails().get(0)));
        assertEquals(1, h.texts().size());
        assertTrue(
                h.texts().get(0).startsWith("[CRITICAL] 200 alerts on db1: fork_enomem db1:7000"),
                h.texts().get(0));
    }

    @Test
    void twoDispatchersOnOneDatabaseSendEachNotificationExactlyOnce() throws Exception {
        AlertingConfig config = h.config("group_wait: 1s", "rate_limit: {messages: 100, per: 10m}");
        Alerting a = h.alerting(config, "collector-a");
        Alerting b = h.alerting(config, "collector-b");
        int hosts = 40;
        for (int k = 0; k < hosts; k++) {
            String instance = "host" + k + ":6379";
            (k % 2 == 0 ? a : b)
                    .evaluate(instance, "host" + k, List.of(finding("fork_enomem", Severity.CRITICAL, instance)), t0);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (Alerting x : List.of(a, b, a, b))
                runs.add(pool.submit(() -> x.dispatcher().dispatchOnce(t0 + 2 * S)));
            int attempted = 0;
            for (Future<Integer> f : runs) attempted += f.get();
            assertEquals(2 * hosts, attempted, "one message per host and channel, whoever sent it");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(hosts, h.emails().size());
        Set<String> subjects = new HashSet<>();
        for (MimeMessage m : h.emails()) assertTrue(subjects.add(subject(m)), "sent twice: " + subject(m));
        assertEquals(hosts, new HashSet<>(h.texts()).size());
        assertEquals(hosts, h.texts().size());
        assertEquals(List.of("sent"), h.column("SELECT DISTINCT status FROM redwatch_notifications"));
        assertEquals(2, h.count("SELECT count(DISTINCT claimed_by) FROM alert_messages"), "both took part");
    }

    @Test
    void aDispatcherThatDiesAfterClaimingLeavesItsNotificationsToAnotherAfterTheLease() {
        AlertingConfig config = h.config("routes: {critical: [email]}");
        Alerting crashed = h.alerting(config, "collector-crashed");
        Alerting survivor = h.alerting(config, "collector-survivor");
        crashed.evaluate("db1:6379", "db1", List.of(finding("fork_enomem", Severity.CRITICAL, "db1:6379")), t0);

        Optional<ClaimedMessage> claimed = crashed.dispatcher().claimNext("email", t0 + 30 * S);
        assertTrue(claimed.isPresent());
        // ... and it dies here, without sending or recording anything.
        assertEquals(
                List.of("pending|collector-crashed"),
                h.column("SELECT status || '|' || claimed_by FROM redwatch_notifications"));
        assertEquals(0, survivor.dispatcher().dispatchOnce(t0 + 31 * S), "leased to the crashed one");
        assertEquals(0, h.emails().size());

        assertEquals(
                1,
                survivor.dispatcher().dispatchOnce(t0 + 30 * S + config.lease().toMillis() + 1));
        assertEquals(1, h.emails().size());
        assertEquals("[CRITICAL] fork_enomem on db1:6379", subject(h.emails().get(0)));
        assertEquals(List.of("sent"), h.column("SELECT status FROM redwatch_notifications"));
        assertEquals(0, survivor.dispatcher().dispatchOnce(t0 + 3_600 * S));
        assertEquals(1, h.emails().size());
    }

    @Test
    void aDispatcherRestartedOnTheSameDatabaseSendsWhatWasWrittenBeforeIt() {
        AlertingConfig config = h.config("routes: {critical: [sms]}");
        h.alerting(config, "old")
                .evaluate(
                        "db1:6379",
                        "db1",
                        List.of(finding("misconf_writes_refused", Severity.CRITICAL, "db1:6379")),
                        t0);
        Alerting fresh = h.alerting(config, "new");
        assertEquals(1, fresh.dispatcher().dispatchOnce(t0 + 30 * S));
        assertTrue(
                h.texts().get(0).startsWith("[CRITICAL] misconf_writes_refused db1:6379"),
                h.texts().get(0));
    }
}
