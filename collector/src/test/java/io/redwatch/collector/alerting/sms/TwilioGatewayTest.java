package io.redwatch.collector.alerting.sms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.collector.alerting.Delivery;
import io.redwatch.collector.alerting.Notice;
import io.redwatch.collector.alerting.NoticeItem;
import io.redwatch.collector.alerting.NotificationKind;
import io.redwatch.collector.alerting.SmsGatewayServer;
import io.redwatch.collector.alerting.SuppressedSummary;
import io.redwatch.collector.rules.Severity;
import io.redwatch.common.config.Secret;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Twilio provider against a local server that checks the request as Twilio documents it
 * (Twilio's cloud cannot be reached from tests): POST /2010-04-01/Accounts/{sid}/Messages.json,
 * form-encoded To, From, Body, basic auth sid:token; 201 on success, an error document otherwise.
 */
class TwilioGatewayTest {
    private static final String SID = "AC0123456789abcdef0123456789abcdef";
    private SmsGatewayServer twilio;
    private SmsChannel channel;

    @BeforeEach
    void start() throws Exception {
        twilio = new SmsGatewayServer();
        SmsSettings s = new SmsSettings(
                SmsProvider.TWILIO,
                URI.create("http://127.0.0.1:" + twilio.port()),
                List.of("+8613800000000"),
                SID,
                Secret.of("tok3n"),
                "+15005550006");
        channel = new SmsChannel(s, ZoneOffset.UTC, Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        twilio.close();
    }

    @Test
    void postsTheMessagesApiRequestTwilioDocuments() {
        twilio.answer(201, "{\"sid\":\"SM0123\",\"status\":\"queued\"}");
        Delivery d = channel.send("+8613800000000", notice("主库 fork 失败，后台保存无法进行"));
        assertEquals(Delivery.Outcome.SENT, d.outcome(), d.detail());

        SmsGatewayServer.Request r = twilio.requests().get(0);
        assertEquals("POST", r.method());
        assertEquals("/2010-04-01/Accounts/" + SID + "/Messages.json", r.path());
        assertTrue(r.header("Content-Type").startsWith("application/x-www-form-urlencoded"), r.header("Content-Type"));
        String auth = r.header("Authorization");
        assertTrue(auth.startsWith("Basic "), auth);
        assertEquals(SID + ":tok3n", new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8));
        Map<String, String> form = form(r.body());
        assertEquals(Map.of("To", "+8613800000000", "From", "+15005550006", "Body", form.get("Body")), form);
        String body = form.get("Body");
        assertTrue(body.startsWith("[CRITICAL] fork_enomem db1:6379: 主库"), body);
        assertTrue(body.length() <= 70, "Chinese text: one UCS-2 SMS: " + body.length() + " " + body);
    }

    @Test
    void anInvalidNumberIsAPermanentFailureWithTwiliosError() {
        twilio.answer(
                400,
                "{\"code\": 21211, \"message\": \"The 'To' number +86138 is not a valid phone number.\","
                        + " \"more_info\": \"https://www.twilio.com/docs/errors/21211\", \"status\": 400}");
        Delivery d = channel.send("+86138", notice("x"));
        assertEquals(Delivery.Outcome.PERMANENT, d.outcome());
        assertTrue(
                d.detail().contains("HTTP 400: error 21211 The 'To' number +86138 is not a valid phone number."),
                d.detail());
    }

    @Test
    void refusedCredentialsArePermanentAndTooManyRequestsIsTransient() {
        twilio.answer(401, "{\"code\": 20003, \"message\": \"Authenticate\", \"status\": 401}");
        Delivery auth = channel.send("+8613800000000", notice("x"));
        assertEquals(Delivery.Outcome.PERMANENT, auth.outcome());
        assertTrue(auth.detail().contains("authentication refused"), auth.detail());
        assertTrue(!auth.detail().contains("tok3n"), "never the token: " + auth.detail());

        twilio.answer(429, "{\"code\": 20429, \"message\": \"Too Many Requests\", \"status\": 429}");
        assertEquals(
                Delivery.Outcome.TRANSIENT,
                channel.send("+8613800000000", notice("x")).outcome());
        twilio.answer(503, "");
        assertEquals(
                Delivery.Outcome.TRANSIENT,
                channel.send("+8613800000000", notice("x")).outcome());
    }

    @Test
    void anUnreachableApiIsTransient() {
        twilio.close();
        Delivery d = channel.send("+8613800000000", notice("x"));
        assertEquals(Delivery.Outcome.TRANSIENT, d.outcome(), d.detail());
    }

    private static Notice notice(String summary) {
        return new Notice(
                "db1",
                List.of(new NoticeItem(
                        1,
                        NotificationKind.FIRING,
                        "fork_enomem",
                        Severity.CRITICAL,
                        "db1:6379",
                        "db1",
                        summary,
                        List.of(),
                        "sysctl vm.overcommit_memory=1 并写入 /etc/sysctl.conf",
                        0,
                        0)),
                SuppressedSummary.NONE);
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            out.put(
                    URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }
}
