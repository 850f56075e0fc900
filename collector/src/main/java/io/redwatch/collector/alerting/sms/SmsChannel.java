package io.redwatch.collector.alerting.sms;

import io.redwatch.collector.alerting.Channel;
import io.redwatch.collector.alerting.Delivery;
import io.redwatch.collector.alerting.Notice;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

/** Alert texts, one SMS per notice and number, through the configured provider. */
public final class SmsChannel implements Channel {
    private final SmsSettings settings;
    private final SmsGateway gateway;
    private final SmsText text;

    public SmsChannel(SmsSettings settings, ZoneId zone, Duration timeout) {
        this.settings = settings;
        this.text = new SmsText(zone);
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .build();
        this.gateway = switch (settings.provider()) {
            case WEBHOOK -> new WebhookGateway(http, settings.url(), timeout);
            case TWILIO ->
                new TwilioGateway(
                        http, settings.url(), settings.accountSid(), settings.authToken(), settings.from(), timeout);
        };
    }

    @Override
    public String name() {
        return "sms";
    }

    @Override
    public List<String> recipients() {
        return settings.to();
    }

    @Override
    public Delivery send(String recipient, Notice notice) {
        return gateway.post(recipient, text.render(notice));
    }
}
