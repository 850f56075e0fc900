package io.redwatch.collector.alerting;

import io.redwatch.collector.rules.Severity;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Who hears of a page: every recipient of every channel its severity routes to. A routed channel
 * with no recipients here (not configured on this collector) pages nobody.
 */
public final class Routing {
    private final Map<Severity, List<String>> channels;
    private final Map<String, List<String>> recipients;

    /**
     * @param channels   severity → channel names
     * @param recipients channel name → who it pages
     */
    public Routing(Map<Severity, List<String>> channels, Map<String, List<String>> recipients) {
        this.channels = new EnumMap<>(Severity.class);
        this.channels.putAll(channels);
        this.recipients = Map.copyOf(recipients);
    }

    public List<NewNotification> address(List<Page> pages) {
        List<NewNotification> out = new ArrayList<>();
        for (Page p : pages) {
            for (String channel : channels.getOrDefault(p.severity(), List.of())) {
                for (String r : recipients.getOrDefault(channel, List.of())) {
                    out.add(new NewNotification(p.alertId(), p.kind(), channel, r));
                }
            }
        }
        return out;
    }
}
