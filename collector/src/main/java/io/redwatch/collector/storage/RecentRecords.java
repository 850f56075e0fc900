package io.redwatch.collector.storage;

import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.facts.TypedInfo;
import io.redwatch.proto.v1.ConfigSnapshot;
import io.redwatch.proto.v1.HostFacts;
import io.redwatch.proto.v1.PingResult;
import io.redwatch.proto.v1.ProcessFacts;
import java.util.List;

/**
 * What the database holds of one instance's recent past, oldest first, in the form a live window
 * holds it (INFO typed by the field catalog, log lines with the kind stored with them).
 * {@code config} and {@code host} are the newest ones, or null when there are none.
 */
public record RecentRecords(
        List<TypedInfo> infos,
        List<PingResult> pings,
        List<ProcessFacts> processes,
        List<LogLine> logs,
        ConfigSnapshot config,
        HostFacts host) {
    public static final RecentRecords NONE = new RecentRecords(List.of(), List.of(), List.of(), List.of(), null, null);

    public int size() {
        return infos.size()
                + pings.size()
                + processes.size()
                + logs.size()
                + (config == null ? 0 : 1)
                + (host == null ? 0 : 1);
    }
}
