package io.redwatch.collector.testing;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.redwatch.agent.Agent;
import io.redwatch.agent.testing.Await;
import io.redwatch.agent.testing.RedisServerProcess;
import io.redwatch.collector.Collector;
import io.redwatch.collector.alerting.SmsGatewayServer;
import io.redwatch.collector.config.CollectorConfig;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The whole paging path for end-to-end tests: a fresh database, a real collector (in this JVM) with
 * short recovery times, GreenMail as its SMTP server, a local HTTP server as its SMS gateway, and
 * real agents at a 500 ms interval. Each incident should run under its own agent host name, so its
 * messages are grouped apart from the others'.
 */
public final class PagingRig implements AutoCloseable {
    private final Duration wait;
    private final Path dir;
    private final FreshDatabase db;
    private final GreenMail mail;
    private final SmsGatewayServer sms;
    private final Collector collector;

    /**
     * @param extraRules lines under {@code rules:} of collector.yaml (two spaces indented), e.g. short windows
     */
    public PagingRig(String dbPrefix, Path dir, Duration wait, String... extraRules) {
        this.wait = wait;
        this.dir = dir;
        this.db = FreshDatabase.reserve(dbPrefix);
        int smtpPort;
        try (ServerSocket s = new ServerSocket(0)) {
            smtpPort = s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.mail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        try {
            this.sms = new SmsGatewayServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> yaml = LocalChannels.alerting(smtpPort, sms);
        yaml.addAll(List.of(
                "  routes: {critical: [email, sms], warning: [email]}",
                "  group_interval: 1s",
                "  recovery_evaluations: 2",
                "  recovery_period: 2s",
                "  rate_limit: {messages: 1000, per: 10m}",
                "  timezone: UTC"));
        if (extraRules.length > 0) {
            yaml.add("rules:");
            for (String r : extraRules) yaml.add("  " + r);
        }
        try {
            Path file = dir.resolve("collector-" + dbPrefix + ".yaml");
            Files.writeString(file, String.join("\n", yaml) + "\n");
            this.collector = new Collector(CollectorConfig.load(
                    file, new CollectorConfig.Overrides(null, 0, 0, db.url(), FreshDatabase.USER, null)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        collector.start();
    }

    public FreshDatabase db() {
        return db;
    }

    public GreenMail mail() {
        return mail;
    }

    public SmsGatewayServer sms() {
        return sms;
    }

    /** A real agent watching {@code servers} (and their logs) under {@code hostname}. */
    public Agent agent(String hostname, RedisServerProcess... servers) {
        return FastAgent.start(collector.grpcPort(), dir, hostname, servers);
    }

    /**
     * Whether one alert of an email body matches: items are separated by a rule line; an item starts
     * with its word (CRITICAL, WARNING, RESOLVED) and the title "rule on instance".
     */
    public static Predicate<String> item(String instance, String word, String rule) {
        return body -> {
            for (String it : body.split("\n-{16}\n")) {
                String t = it.strip();
                if (t.startsWith(word) && t.contains(rule + " on " + instance)) return true;
            }
            return false;
        };
    }

    /** Waits for an email whose body matches; returns subject and body. */
    public String awaitEmail(Predicate<String> wanted) {
        return awaitEmail(mail, wait, wanted);
    }

    /** Waits for an email in {@code mail} whose body matches; returns subject and body. */
    public static String awaitEmail(GreenMail mail, Duration wait, Predicate<String> wanted) {
        return Await.value(
                "an email like that",
                wait,
                () -> {
                    for (MimeMessage m : mail.getReceivedMessages()) {
                        String body = String.valueOf(m.getContent()).replace("\r\n", "\n");
                        if (wanted.test(body)) return m.getSubject() + "\n" + body;
                    }
                    return null;
                },
                () -> {
                    StringBuilder all = new StringBuilder("received:");
                    for (MimeMessage m : mail.getReceivedMessages()) {
                        all.append("\n=== ").append(m.getSubject()).append('\n').append(m.getContent());
                    }
                    return all;
                });
    }

    /** Every email body received so far. */
    public List<String> emails() {
        List<String> out = new ArrayList<>();
        try {
            for (MimeMessage m : mail.getReceivedMessages())
                out.add(String.valueOf(m.getContent()).replace("\r\n", "\n"));
        } catch (IOException | jakarta.mail.MessagingException e) {
            throw new AssertionError("cannot read GreenMail's messages", e);
        }
        return out;
    }

    /** Waits for an SMS whose text matches; returns the text. */
    public String awaitSms(Predicate<String> wanted) {
        return awaitSms(sms, wait, wanted);
    }

    /** Waits for an SMS to {@code sms} whose text matches; returns the text. */
    public static String awaitSms(SmsGatewayServer sms, Duration wait, Predicate<String> wanted) {
        return Await.value(
                "an SMS like that",
                wait,
                () -> {
                    for (SmsGatewayServer.Request r : sms.requests()) {
                        String text = new JsonObject(r.body()).getString("text");
                        if (wanted.test(text)) return text;
                    }
                    return null;
                },
                () -> "received: "
                        + sms.requests().stream()
                                .map(r -> new JsonObject(r.body()).getString("text"))
                                .toList());
    }

    @Override
    public void close() {
        collector.close();
        sms.close();
        mail.stop();
        db.close();
    }
}
