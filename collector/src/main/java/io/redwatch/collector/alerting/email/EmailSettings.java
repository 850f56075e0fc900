package io.redwatch.collector.alerting.email;

import io.redwatch.common.config.Secret;
import java.util.List;

/**
 * Where alert emails go and how the SMTP server is reached.
 *
 * @param ssl      TLS from the first byte (SMTPS, usually port 465), as opposed to STARTTLS
 * @param username empty for a server that needs no login
 */
public record EmailSettings(
        String host,
        int port,
        StartTls starttls,
        boolean ssl,
        String username,
        Secret password,
        String from,
        List<String> to) {
    public EmailSettings {
        to = List.copyOf(to);
    }
}
