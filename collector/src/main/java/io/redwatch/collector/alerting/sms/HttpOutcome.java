package io.redwatch.collector.alerting.sms;

import io.redwatch.collector.alerting.Delivery;

/** What an SMS gateway's HTTP status means for a retry. */
final class HttpOutcome {
    private HttpOutcome() {}

    /**
     * 2xx sent; 408, 429 and 5xx may pass later; 401/403 (credentials) and other 4xx (a bad number,
     * a malformed request) never will.
     */
    static Delivery of(int status, String body, String where) {
        String detail =
                where + " answered HTTP " + status + (body == null || body.isBlank() ? "" : ": " + oneLine(body));
        if (status >= 200 && status < 300) return Delivery.sent();
        if (status == 408 || status == 429 || status >= 500) return Delivery.transientFailure(detail);
        if (status == 401 || status == 403) {
            return Delivery.permanentFailure(detail + " (authentication refused: check the SMS credentials)");
        }
        return Delivery.permanentFailure(detail);
    }

    static String oneLine(String s) {
        String t = s.replaceAll("\\s+", " ").trim();
        return t.length() > 500 ? t.substring(0, 500) + "…" : t;
    }
}
