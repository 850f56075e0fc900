package io.redwatch.collector.alerting.sms;

import io.redwatch.common.config.Secret;
import java.net.URI;
import java.util.List;

/**
 * Where alert texts go.
 *
 * @param url        webhook: the gateway URL that receives {@code {"to","text"}}; twilio: the API base
 *                   URL ({@code https://api.twilio.com} unless a test or proxy says otherwise)
 * @param accountSid twilio only
 * @param authToken  twilio only
 * @param from       twilio only: the sending number (E.164) or messaging service
 */
public record SmsSettings(
        SmsProvider provider, URI url, List<String> to, String accountSid, Secret authToken, String from) {
    public static final URI TWILIO_API = URI.create("https://api.twilio.com");

    public SmsSettings {
        to = List.copyOf(to);
    }
}
