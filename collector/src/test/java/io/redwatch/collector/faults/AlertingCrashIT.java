package io.redwatch.collector.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.redwatch.agent.testing.Await;
import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.collector.faultinjection.CrashPoint;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue case 11: two collectors share one database; one dies in the middle of paging. A real alert
 * (a real redis-server stops, its agent's PINGs are refused: instance_down) goes out through
 * GreenMail. The crash moments are hit with the collector's test-only crash points
 * ({@link CrashPoint}: {@code crashAfterClaim}, {@code crashAfterSend}), which halt the JVM like
 * kill -9 at that exact line. The surviving collector is started once the first one is dead, so
 * that it is the first one that claims the notification.
 */
class AlertingCrashIT extends FaultTest {
    private static final Duration LEASE = Duration.ofSeconds(6);
    private GreenMail smtp;
    private Path config;

    @BeforeEach
    void setUp() throws IOException {
        int port = CollectorProcess.freePort();
        smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        rig.closeLater(smtp::stop);
        config = rig.dir().resolve("collector.yaml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "alerting:",
                        "  email:",
                        "    smtp: {host: 127.0.0.1, port: " + port + ", starttls: none}",
                        "    from: redwatch@example.org",
                        "    to: [oncall@example.org]",
                        "  routes: {critical: [email]}",
                        "  group_wait: 1s",
                        "  dispatch_interval: 500ms",
                        "  lease: " + LEASE.toSeconds() + "s",
                        "  send_timeout: 3s",
                        "rules:",
                        "  # the agents here go quiet on purpose (their collector dies); only instance_down is paged",
                        "  agent_silent_intervals: 100000",
                        ""));
    }

    /**
     * Collector A claims the notification (lease in the database) and dies before sending. B,
     * on the same database, sends it once A's lease has run out, and only once.
     */
    @Test
    void killedBetweenClaimAndSendTheNotificationIsSentByTheOther() throws Exception {
        CollectorProcess a = rig.collector("collector-a", db.url(), config)
                .withSystemProperties("redwatch.test.crashAfterClaim=1")
                .start();
        RedisServerProcess redis = rig.redis();
        String instance = Rig.instanceOf(redis);
        rig.agent("agent-claim", a, redis, rig.dir().resolve("redis.log")).start();
        awaitInfo(instance);
        redis.terminate();

        assertEquals(
                CrashPoint.EXIT_CODE,
                a.awaitExit(Duration.ofSeconds(60)),
                "A halted after claiming" + a.process().logTail());
        assertTrue(a.process().log().contains("claimed, not sent"), a.process().logTail());
        assertEquals(List.of("pending"), notificationStates(instance), "claimed by A, not sent");
        assertEquals(0, pages(instance), "nothing sent yet");

        CollectorProcess b = rig.collector("collector-b", db.url(), config).start();
        Await.until("B sends the notification A claimed", Duration.ofSeconds(30), () -> pages(instance) >= 1);
        // Recorded as sent: no collector claims it again, so a second page could only have come before this.
        Await.until(
                "the notification recorded as sent",
                Duration.ofSeconds(30),
                () -> notificationStates(instance).equals(List.of("sent")));
        assertEquals(1, pages(instance), "sent exactly once");
        assertTrue(b.isAlive());
    }

    /**
     * Collector A sends the message and dies before marking it sent. B cannot know it went out,
     * so it sends it again after the lease: at-least-once, with no more duplicates than crashes
     * that fell between send and mark (here exactly one).
     */
    @Test
    void killedBetweenSendAndMarkDuplicatesAreBoundedByTheCrashes() throws Exception {
        CollectorProcess a = rig.collector("collector-a", db.url(), config)
                .withSystemProperties("redwatch.test.crashAfterSend=1")
                .start();
        RedisServerProcess redis = rig.redis();
        String instance = Rig.instanceOf(redis);
        rig.agent("agent-send", a, redis, rig.dir().resolve("redis.log")).start();
        awaitInfo(instance);
        redis.terminate();

        assertEquals(
                CrashPoint.EXIT_CODE,
                a.awaitExit(Duration.ofSeconds(60)),
                "A halted after sending" + a.process().logTail());
        assertTrue(
                a.process().log().contains("sent, not marked sent"), a.process().logTail());
        int crashesBetweenSendAndMark = 1;
        assertEquals(1, pages(instance), "A's message went out");
        assertEquals(List.of("pending"), notificationStates(instance), "but is not marked sent");

        rig.collector("collector-b", db.url(), config).start();
        Await.until(
                "the notification marked sent",
                Duration.ofSeconds(30),
                () -> notificationStates(instance).equals(List.of("sent")),
                () -> notificationStates(instance));
        // Marked sent after its send was accepted: no collector sends it again from here on.
        int pages = pages(instance);
        assertTrue(
                pages >= 1 && pages - 1 <= crashesBetweenSendAndMark,
                pages + " messages for one notification after " + crashesBetweenSendAndMark
                        + " crash between send and mark");
        assertEquals(List.of("sent"), notificationStates(instance));
    }

    private static void awaitInfo(String instance) {
        Await.until("INFO of " + instance + " stored", Duration.ofSeconds(30), () -> {
            try (Connection c = db.connect();
                    PreparedStatement ps =
                            c.prepareStatement("SELECT count(*) FROM redwatch_info WHERE instance = ?")) {
                ps.setString(1, instance);
                ResultSet rs = ps.executeQuery();
                rs.next();
                return rs.getLong(1) >= 2;
            }
        });
    }

    /** The states of the instance_down notifications of {@code instance}, distinct and sorted. */
    private static List<String> notificationStates(String instance) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT DISTINCT n.status FROM redwatch_notifications n JOIN redwatch_alerts a ON a.id = n.alert_id"
                                + " WHERE a.instance = ? AND a.rule = 'instance_down' ORDER BY 1")) {
            ps.setString(1, instance);
            ResultSet rs = ps.executeQuery();
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    /** How many emails GreenMail received that page instance_down of {@code instance}. */
    private int pages(String instance) {
        int n = 0;
        for (MimeMessage m : smtp.getReceivedMessages()) {
            try {
                String text = m.getSubject() + "\n" + m.getContent();
                if (text.contains("instance_down") && text.contains(instance)) n++;
            } catch (MessagingException e) {
                throw new IllegalStateException("cannot read a received email", e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return n;
    }
}
