package io.redwatch.collector.alerting.sms;

import io.redwatch.collector.alerting.Delivery;

/** One SMS provider's API: hands one text to one number. */
interface SmsGateway {
    Delivery post(String to, String text);
}
