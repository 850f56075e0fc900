package io.redwatch.collector.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.collector.rules.Finding;
import io.redwatch.collector.rules.Severity;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Attack 6 of issue 9: names and log lines come from agents. An instance named
 * {@code evil:1\nX-Injected: yes} must not add a header to the page GreenMail receives, nor lines to
 * its body or to the SMS; the name is shown escaped instead.
 */
class HeaderInjectionIT {
    static final String EVIL_INSTANCE = "evil:1\nX-Injected: yes";
    static final String EVIL_HOST = "evil\r\nBcc: thief@example.net";
    private static PipelineHarness h;

    @BeforeAll
    static void start() {
        h = new PipelineHarness("header_injection_it");
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void aNameWithANewlineIsShownEscapedAndAddsNoHeaderNoBodyLineAndNoSmsLine() throws Exception {
        h.reset();
        long t0 = System.currentTimeMillis();
        Alerting a = h.alerting(h.config(), "inj");
        Finding f = new Finding(
                "bgsave_failing",
                Severity.CRITICAL,
                EVIL_INSTANCE,
                EVIL_HOST,
                EVIL_INSTANCE + " is not saving to disk\nX-Forged-Body: yes",
                List.of("12:00:00 log: Background saving error\n\nX-Forged-Evidence: yes\u001b[31m"),
                "Check the disk of " + EVIL_INSTANCE,
                t0);
        a.evaluate(EVIL_INSTANCE, EVIL_HOST, List.of(f), t0);

        assertEquals(2, a.dispatcher().dispatchOnce(t0 + 60_000), "one email, one SMS");

        MimeMessage m = h.emails().get(0);
        String raw = raw(m);
        assertNull(m.getHeader("X-Injected"), raw);
        assertNull(m.getHeader("Bcc"), raw);
        assertEquals(
                List.of("oncall@example.org"),
                List.of(m.getAllRecipients()).stream().map(Object::toString).toList(),
                "no recipient added by a name");
        for (String line : raw.split("\r\n")) {
            assertFalse(
                    line.startsWith("X-Injected") || line.startsWith("X-Forged") || line.startsWith("Bcc"),
                    "a forged line in the raw mail: " + line + "\n" + raw);
        }
        String subject = PipelineHarness.subject(m);
        assertTrue(subject.contains("bgsave_failing on evil:1\\nX-Injected: yes"), "shown escaped: " + subject);
        String body = PipelineHarness.body(m);
        assertTrue(body.contains("evil:1\\nX-Injected: yes is not saving to disk\\nX-Forged-Body: yes"), body);
        assertTrue(body.contains("Background saving error\\n\\nX-Forged-Evidence: yes\\u001b[31m"), body);
        assertTrue(body.contains("(host evil\\r\\nBcc: thief@example.net)"), body);

        String sms = h.texts().get(0);
        assertFalse(sms.contains("\n") || sms.contains("\r"), sms);
        assertTrue(sms.contains("evil:1\\nX-Injected: yes"), sms);
    }

    private static String raw(MimeMessage m) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
