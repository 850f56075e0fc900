package io.redwatch.collector.alerting.sms;

/** How texts leave: a JSON POST to any gateway, or Twilio's Messages API. */
public enum SmsProvider {
    WEBHOOK,
    TWILIO
}
