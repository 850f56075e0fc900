package io.redwatch.collector.testing;

import io.redwatch.collector.alerting.SmsGatewayServer;
import java.util.ArrayList;
import java.util.List;

/**
 * The start of a collector.yaml {@code alerting:} section whose channels reach the test's own
 * servers: email to GreenMail on {@code smtpPort}, SMS to a local webhook gateway. Callers add their
 * own routing and timing keys (indented two spaces) after it.
 */
public final class LocalChannels {
    public static final String EMAIL_TO = "oncall@example.org";
    public static final String SMS_TO = "+8613800000000";

    private LocalChannels() {}

    public static List<String> alerting(int smtpPort, SmsGatewayServer sms) {
        return new ArrayList<>(List.of(
                "alerting:",
                "  email:",
                "    smtp: {host: 127.0.0.1, port: " + smtpPort + ", starttls: none}",
                "    from: redwatch@example.org",
                "    to: [" + EMAIL_TO + "]",
                "  sms:",
                "    provider: webhook",
                "    url: " + sms.url("/sms"),
                "    to: [\"" + SMS_TO + "\"]"));
    }
}
