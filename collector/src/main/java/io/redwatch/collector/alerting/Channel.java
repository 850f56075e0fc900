package io.redwatch.collector.alerting;

import java.util.List;

/**
 * A way to reach people (email, SMS). It renders a {@link Notice} in its own form and reports
 * whether it was delivered, may be retried, or never will be. {@link #send} blocks for at most
 * the configured send timeout; it is called on a worker thread, never on the event loop.
 */
public interface Channel {
    /** The name routes use: {@code email}, {@code sms}. */
    String name();

    /** Who this channel pages; one notification is written per recipient. */
    List<String> recipients();

    Delivery send(String recipient, Notice notice);
}
