package io.redwatch.collector.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.collector.alerting.email.StartTls;
import io.redwatch.collector.alerting.sms.SmsProvider;
import io.redwatch.collector.config.AlertingConfigReader;
import io.redwatch.collector.rules.Severity;
import io.redwatch.common.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AlertingConfigTest {
    @TempDir
    Path dir;

    @Test
    void theDocumentedShapeParses() throws IOException {
        Files.writeString(dir.resolve("smtp.pass"), "s3cret\n");
        AlertingConfig c = AlertingConfigReader.load(fixture("good.yaml"));
        assertEquals("127.0.0.1", c.email().host());
        assertEquals(2525, c.email().port());
        assertEquals(StartTls.NONE, c.email().starttls());
        assertEquals("u", c.email().username());
        assertEquals("s3cret", c.email().password().reveal());
        assertEquals("****", c.email().password().toString());
        assertEquals(List.of("oncall@example.org"), c.email().to());
        assertEquals(SmsProvider.WEBHOOK, c.sms().provider());
        assertEquals("http://127.0.0.1:9999/sms", c.sms().url().toString());
        assertEquals(List.of("+8613800000000"), c.sms().to());
        assertEquals(List.of("email", "sms"), c.channelsFor(Severity.CRITICAL));
        assertEquals(List.of("email"), c.channelsFor(Severity.WARNING));
        assertEquals(List.of(), c.channelsFor(Severity.INFO));
        assertEquals(Duration.ofHours(1), c.repeatInterval());
        assertEquals(Duration.ZERO, c.groupWait(), "the first page is not held back");
        assertEquals(Duration.ofSeconds(30), c.groupInterval());
        assertEquals(2, c.recoveryEvaluations());
        assertEquals(Duration.ofSeconds(60), c.recoveryPeriod());
    }

    @Test
    void twilioAndDefaultRoutesThatLeaveOutAMissingChannel() throws IOException {
        Files.writeString(dir.resolve("twilio.token"), "tok");
        AlertingConfig c = AlertingConfigReader.load(fixture("good-twilio.yaml"));
        assertNull(c.email());
        assertEquals(SmsProvider.TWILIO, c.sms().provider());
        assertEquals("https://api.twilio.com", c.sms().url().toString());
        assertEquals("tok", c.sms().authToken().reveal());
        assertEquals(List.of("sms"), c.channelsFor(Severity.CRITICAL), "default route without email configured");
        assertEquals(List.of(), c.channelsFor(Severity.WARNING));
        assertEquals(3, c.rateLimitMessages());
        assertEquals(ZoneId.of("Asia/Shanghai"), c.timezone());
    }

    @Test
    void noAlertingSectionPagesNobody() throws IOException {
        Path f = dir.resolve("collector.yaml");
        Files.writeString(f, "bind: 127.0.0.1\n");
        AlertingConfig c = AlertingConfigReader.load(f);
        assertNull(c.email());
        assertNull(c.sms());
        for (Severity s : Severity.values()) assertTrue(c.channelsFor(s).isEmpty());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "bad-route-to-missing-channel.yaml | alerting.routes.critical routes to sms but alerting.sms is not configured",
                "bad-misspelt-key.yaml | unknown key 'alerting.repeat_intervall'",
                "bad-duration.yaml | alerting.group_wait: 'soon' is not a duration",
                "bad-phone-number.yaml | alerting.sms.to: '13800000000' is not a phone number in international form",
                "bad-starttls.yaml | alerting.email.smtp.starttls must be none, optional or required, got 'maybe'",
                "bad-provider.yaml | alerting.sms.provider must be webhook or twilio, got 'pager'",
                "bad-email-address.yaml | alerting.email.to: 'oncall' is not an email address",
                "bad-password-file.yaml | alerting.email.smtp.password_file: cannot read secret file",
                "bad-twilio-sid.yaml | alerting.sms.account_sid must be a Twilio Account SID",
                "bad-webhook-url.yaml | alerting.sms.url must be an http or https URL, got 'ftp://gateway/sms'",
                "bad-rate-limit.yaml | alerting.rate_limit.messages must be positive, got 0",
                "bad-route-severity.yaml | unknown key 'alerting.routes.urgent'",
            })
    void badConfigNamesTheKey(String file, String message) throws IOException {
        Files.writeString(dir.resolve("twilio.token"), "tok");
        ConfigException e = assertThrows(ConfigException.class, () -> AlertingConfigReader.load(fixture(file)));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"));
    }

    /** Copies a fixture into the temp dir with ${dir} replaced, so secret files can be found. */
    private Path fixture(String name) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/alerting/config/" + name)) {
            if (in == null) throw new IOException("no fixture " + name);
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${dir}", dir.toString());
            Path f = dir.resolve(name);
            Files.writeString(f, text);
            return f;
        }
    }
}
