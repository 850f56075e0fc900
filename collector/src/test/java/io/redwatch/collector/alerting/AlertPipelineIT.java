package io.redwatch.collector.alerting;

import static io.redwatch.collector.alerting.PipelineHarness.body;
import static io.redwatch.collector.alerting.PipelineHarness.finding;
import static io.redwatch.collector.alerting.PipelineHarness.subject;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.collector.alerting.sms.SmsText;
import io.redwatch.collector.rules.Finding;
import io.redwatch.collector.rules.Severity;
import jakarta.mail.internet.MimeMessage;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The alert pipeline end to end on PostgreSQL, GreenMail and a local SMS gateway. */
class AlertPipelineIT {
    private static final String DB1 = "db1:6379";
    private static final long S = 1000;
    private static PipelineHarness h;
    private long t0;

    @BeforeAll
    static void start() {
        h = new PipelineHarness("alert_pipeline_it");
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

    @Test
    void firingSendsOneEmailAndOneSmsThenResolvedSendsAResolvedEmail() {
        Alerting a = h.alerting(h.config(), "d1");
        a.evaluate(DB1, "db1", List.of(finding("fork_enomem", Severity.CRITICAL, DB1)), t0);
        assertEquals(2, a.dispatcher().dispatchOnce(t0), "the first page leaves as soon as the finding exists");

        List<MimeMessage> mails = h.emails();
        assertEquals(1, mails.size());
        assertEquals("[CRITICAL] fork_enomem on db1:6379", subject(mails.get(0)));
        String body = body(mails.get(0));
        assertTrue(body.contains("Background save fails: fork: Cannot allocate memory"), body);
        assertTrue(body.contains("- 10:43:12 INFO persistence: rdb_last_bgsave_status:err"), body);
        assertTrue(body.contains("Advice:\nsysctl vm.overcommit_memory=1"), body);
        List<String> texts = h.texts();
        assertEquals(1, texts.size());
        assertEquals(
                "+8613800000000",
                new io.vertx.core.json.JsonObject(h.sms.requests().get(0).body()).getString("to"));
        assertTrue(texts.get(0).startsWith("[CRITICAL] fork_enomem db1:6379: Background save fails"), texts.get(0));
        assertTrue(SmsText.length(texts.get(0)) <= 160, texts.get(0));
        assertEquals(List.of("sent", "sent"), h.column("SELECT status FROM redwatch_notifications ORDER BY channel"));

        // Gone for one evaluation: still firing. Gone for two and 60 s: resolved.
        assertEquals(0, a.evaluate(DB1, "db1", List.of(), t0 + 40 * S).resolved());
        assertEquals(1, a.evaluate(DB1, "db1", List.of(), t0 + 70 * S).resolved());
        assertEquals(List.of("resolved"), h.column("SELECT state FROM redwatch_alerts"));
        assertEquals(2, a.dispatcher().dispatchOnce(t0 + 100 * S));
        mails = h.emails();
        assertEquals(2, mails.size());
        assertEquals("[RESOLVED] fork_enomem on db1:6379", subject(mails.get(1)));
        assertTrue(body(mails.get(1)).contains("Resolved: "), body(mails.get(1)));
        assertTrue(
                h.texts().get(1).startsWith("[RESOLVED] fork_enomem db1:6379"),
                h.texts().get(1));
    }

    @Test
    void whatFollowsAPageForTheSameHostWaitsForTheGroupIntervalAndGoesOutAsOneMessage() {
        Alerting a = h.alerting(h.config("group_interval: 30s"), "d1");
        a.evaluate(DB1, "db1", List.of(finding("fork_enomem", Severity.CRITICAL, DB1)), t0);
        assertEquals(2, a.dispatcher().dispatchOnce(t0 + 100), "first page at once, email and SMS");

        a.evaluate(
                DB1,
                "db1",
                List.of(
                        finding("fork_enomem", Severity.CRITICAL, DB1),
                        finding("bgsave_failing", Severity.CRITICAL, DB1)),
                t0 + 5 * S);
        a.evaluate("db1:6380", "db1", List.of(finding("fork_enomem", Severity.CRITICAL, "db1:6380")), t0 + 6 * S);
        assertEquals(0, a.dispatcher().dispatchOnce(t0 + 7 * S), "held: db1 was paged 7 s ago");
        assertEquals(
                List.of("pending", "pending", "pending", "pending"),
                h.column("SELECT status FROM redwatch_notifications WHERE status <> 'sent' ORDER BY id"));
        assertEquals(0, a.dispatcher().dispatchOnce(t0 + 29 * S));
        assertEquals(2, a.dispatcher().dispatchOnce(t0 + 30 * S + 100), "then both together, one message per channel");
        List<MimeMessage> mails = h.emails();
        assertEquals(2, mails.size());
        assertTrue(subject(mails.get(1)).startsWith("[CRITICAL] 2 alerts on db1: "), subject(mails.get(1)));
        assertEquals(2, h.texts().size());

        // Another host is a group of its own: its first page is not held by db1's.
        a.evaluate("db2:6379", "db2", List.of(finding("fork_enomem", Severity.CRITICAL, "db2:6379")), t0 + 31 * S);
        assertEquals(2, a.dispatcher().dispatchOnce(t0 + 31 * S));
    }

    @Test
    void aRuleThatFlapsWithinTheRecoveryPeriodStaysOneAlert() {
        Alerting a = h.alerting(h.config(), "d1");
        List<Finding> on = List.of(finding("repl_link_down", Severity.CRITICAL, DB1));
        long t = t0;
        for (int k = 0; k < 6; k++) {
            a.evaluate(DB1, "db1", on, t);
            t += 10 * S;
            a.evaluate(DB1, "db1", List.of(), t);
            t += 10 * S;
            a.evaluate(DB1, "db1", List.of(), t); // two misses, but only 20 s: not resolved
            t += 10 * S;
        }
        assertEquals(1, h.count("SELECT count(*) FROM redwatch_alerts"));
        assertEquals(List.of("firing"), h.column("SELECT state FROM redwatch_alerts"));
        a.dispatcher().dispatchOnce(t + 60 * S);
        assertEquals(1, h.emails().size());
        assertEquals(1, h.texts().size());
        assertEquals(List.of("firing", "firing"), h.column("SELECT kind FROM redwatch_notifications"));
    }

    @Test
    void aStillFiringCriticalAlertIsRepeatedEveryRepeatInterval() {
        Alerting a = h.alerting(h.config("repeat_interval: 2m", "routes: {critical: [email], warning: [email]}"), "d1");
        List<Finding> both = List.of(
                finding("fork_enomem", Severity.CRITICAL, DB1), finding("maxmemory_near", Severity.WARNING, DB1));
        a.evaluate(DB1, "db1", both, t0);
        a.dispatcher().dispatchOnce(t0 + 30 * S);
        assertEquals(1, h.emails().size(), "both alerts of db1 in one message");
        assertTrue(
                subject(h.emails().get(0)).startsWith("[CRITICAL] 2 alerts on db1: fork_enomem on db1:6379"),
                subject(h.emails().get(0)));

        assertEquals(0, a.evaluate(DB1, "db1", both, t0 + 60 * S).repeated());
        assertEquals(1, a.evaluate(DB1, "db1", both, t0 + 120 * S).repeated(), "only the critical one repeats");
        assertEquals(0, a.evaluate(DB1, "db1", both, t0 + 130 * S).repeated());
        a.dispatcher().dispatchOnce(t0 + 150 * S);
        assertEquals(2, h.emails().size());
        assertEquals(
                "[CRITICAL] fork_enomem on db1:6379 (still firing since "
                        + AlertTimes.clock(t0, java.time.ZoneOffset.UTC) + ")",
                subject(h.emails().get(1)));
        assertEquals(1, a.evaluate(DB1, "db1", both, t0 + 240 * S).repeated());
    }

    @Test
    void aSilencedNotificationIsRecordedSuppressedAndExpiringTheSilenceLetsTheNextOneThrough() {
        Alerting a = h.alerting(h.config(), "d1");
        Silence s = a.silences().create("fork_enomem", null, "db1", t0 + 3_600 * S, "host being rebuilt", t0);
        a.evaluate(DB1, "db1", List.of(finding("fork_enomem", Severity.CRITICAL, DB1)), t0);
        a.evaluate("db2:6379", "db2", List.of(finding("fork_enomem", Severity.CRITICAL, "db2:6379")), t0);
        a.dispatcher().dispatchOnce(t0 + 30 * S);
        assertEquals(
                List.of("suppressed", "suppressed"),
                h.column("SELECT n.status FROM redwatch_notifications n JOIN redwatch_alerts a ON a.id = n.alert_id"
                        + " WHERE a.instance = 'db1:6379' AND a.rule = 'fork_enomem'"));
        assertEquals(
                List.of("silence " + s.id()),
                h.column("SELECT DISTINCT suppressed_by FROM redwatch_notifications" + " WHERE status = 'suppressed'"));
        // Only db2 (another host) got through.
        assertEquals(1, h.emails().size());
        assertEquals("[CRITICAL] fork_enomem on db2:6379", subject(h.emails().get(0)));

        a.silences().expire(s.id(), t0 + 40 * S);
        a.evaluate("db1:6380", "db1", List.of(finding("fork_enomem", Severity.CRITICAL, "db1:6380")), t0 + 50 * S);
        a.dispatcher().dispatchOnce(t0 + 80 * S);
        assertEquals(2, h.emails().size());
        assertEquals("[CRITICAL] fork_enomem on db1:6380", subject(h.emails().get(1)));
    }

    @Test
    void aTransientSmtpFailureIsRetriedAndDelivered() {
        Alerting a = h.alerting(h.config("routes: {critical: [email]}"), "d1");
        h.stopSmtp();
        try {
            a.evaluate(DB1, "db1", List.of(finding("fork_enomem", Severity.CRITICAL, DB1)), t0);
            assertEquals(1, a.dispatcher().dispatchOnce(t0 + 30 * S));
            assertEquals(
                    List.of("pending|1"), h.column("SELECT status || '|' || attempts FROM redwatch_notifications"));
            String error = h.column("SELECT error FROM redwatch_notifications").get(0);
            assertTrue(error.contains("127.0.0.1:" + h.smtpPort), error);
            assertEquals(0, a.dispatcher().dispatchOnce(t0 + 30 * S + 500), "backoff: not before 1 s");
            assertEquals(1, a.dispatcher().dispatchOnce(t0 + 32 * S));
            assertEquals(
                    List.of("pending|2"), h.column("SELECT status || '|' || attempts FROM redwatch_notifications"));
            assertEquals(0, a.dispatcher().dispatchOnce(t0 + 33 * S), "backoff doubled to 2 s");
        } finally {
            h.startSmtp();
        }
        // Once SMTP is back the retry delivers it. The mail client may first try a pooled connection
        // to the SMTP server that went away: that attempt fails as transient too and is retried.
        List<String> status = List.of();
        for (long at = t0 + 40 * S;
                at < t0 + 300 * S
                        && !(status = h.column("SELECT status FROM redwatch_notifications")).equals(List.of("sent"));
                at += 40 * S) {
            a.dispatcher().dispatchOnce(at);
        }
        assertEquals(List.of("sent"), status);
        int attempts = Integer.parseInt(
                h.column("SELECT attempts FROM redwatch_notifications").get(0));
        assertTrue(attempts >= 3 && attempts <= 4, "retried until delivered: " + attempts + " attempts");
        assertEquals(1, h.emails().size());
        assertEquals("[CRITICAL] fork_enomem on db1:6379", subject(h.emails().get(0)));
    }

    @Test
    void aPermanentFailureIsFailedAtOnceWithTheErrorAndNotRetried() {
        Alerting a = h.alerting(h.config("routes: {critical: [sms]}"), "d1");
        h.sms.answer(400, "{\"error\":\"invalid destination number\"}");
        a.evaluate(DB1, "db1", List.of(finding("fork_enomem", Severity.CRITICAL, DB1)), t0);
        assertEquals(1, a.dispatcher().dispatchOnce(t0 + 30 * S));
        assertEquals(List.of("failed|1"), h.column("SELECT status || '|' || attempts FROM redwatch_notifications"));
        String error = h.column("SELECT error FROM redwatch_notifications").get(0);
        assertTrue(error.contains("HTTP 400") && error.contains("invalid destination number"), error);
        h.sms.answer(200, "{}");
        assertEquals(0, a.dispatcher().dispatchOnce(t0 + 3_600 * S));
        assertEquals(1, h.sms.requests().size());
    }

    @Test
    void aGatewayThatAnswers503IsRetried() {
        Alerting a = h.alerting(h.config("routes: {critical: [sms]}"), "d1");
        h.sms.answer(503, "busy");
        a.evaluate(DB1, "db1", List.of(finding("fork_enomem", Severity.CRITICAL, DB1)), t0);
        a.dispatcher().dispatchOnce(t0 + 30 * S);
        assertEquals(List.of("pending"), h.column("SELECT status FROM redwatch_notifications"));
        h.sms.answer(200, "{}");
        a.dispatcher().dispatchOnce(t0 + 40 * S);
        assertEquals(List.of("sent"), h.column("SELECT status FROM redwatch_notifications"));
        assertEquals(2, h.sms.requests().size());
    }

    @Test
    void aStartedDispatcherSendsTheFirstPageWithoutWaitingForItsTick() throws InterruptedException {
        // The periodic tick is 10 minutes away: only the wake-up on a written notification can send.
        Alerting a = h.alerting(h.config("dispatch_interval: 10m"), "woken");
        a.start();
        try {
            a.evaluate(DB1, "db1", List.of(finding("fork_enomem", Severity.CRITICAL, DB1)), System.currentTimeMillis());
            long deadline = System.currentTimeMillis() + 20_000;
            while ((h.emails().isEmpty() || h.texts().isEmpty()) && System.currentTimeMillis() < deadline)
                Thread.sleep(20);
            assertEquals(1, h.emails().size());
            assertEquals(1, h.texts().size());
        } finally {
            a.stop();
        }
    }

    @Test
    void startedAlertingSendsOnItsOwnAndStopsWhenStopped() throws InterruptedException {
        Alerting a = h.alerting(h.config("group_wait: 500ms", "dispatch_interval: 200ms"), "timer");
        a.start();
        try {
            a.evaluate(DB1, "db1", List.of(finding("fork_enomem", Severity.CRITICAL, DB1)), System.currentTimeMillis());
            long deadline = System.currentTimeMillis() + 15_000;
            while ((h.emails().isEmpty() || h.texts().isEmpty()) && System.currentTimeMillis() < deadline)
                Thread.sleep(100);
            assertEquals(1, h.emails().size());
            assertEquals(1, h.texts().size());
        } finally {
            a.stop();
        }
        a.evaluate(
                "db1:6380",
                "db1",
                List.of(finding("fork_enomem", Severity.CRITICAL, "db1:6380")),
                System.currentTimeMillis());
        Thread.sleep(1_500);
        assertEquals(1, h.emails().size(), "stopped: nothing more sent");
        assertEquals(
                2,
                h.count("SELECT count(*) FROM redwatch_notifications WHERE status = 'pending'"),
                "but kept for later");
    }
}
