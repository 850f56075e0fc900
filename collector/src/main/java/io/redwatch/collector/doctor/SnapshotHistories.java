package io.redwatch.collector.doctor;

import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.proto.v1.HostFacts;
import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.Record;
import io.redwatch.proto.v1.Snapshot;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One history per instance named in the snapshots. A snapshot is one agent on one host, so its host
 * facts belong to every instance of that snapshot. Judged offline: at the newest fact, with every
 * pasted log line kept (a person pasted them to have them read).
 */
final class SnapshotHistories {
    private static final int MAX_LOG_EVENTS = 1_000_000;

    private SnapshotHistories() {}

    static List<InstanceView> of(List<Snapshot> snapshots, ZoneId zone) {
        Map<String, InstanceView.Builder> builders = new LinkedHashMap<>();
        for (Snapshot s : snapshots) {
            List<HostFacts> hosts = new ArrayList<>();
            Set<String> here = new LinkedHashSet<>();
            for (Record r : s.getRecordsList()) {
                if (r.getKindCase() == Record.KindCase.HOST) {
                    hosts.add(r.getHost());
                    continue;
                }
                InstanceRef ref = ref(r);
                if (ref == null || ref.getInstance().isEmpty()) continue;
                InstanceView.Builder b = builders.computeIfAbsent(
                        ref.getInstance(),
                        k -> InstanceView.builder(k, ref.getHost().isEmpty() ? s.getHostname() : ref.getHost())
                                .zone(zone)
                                .window(Duration.ofHours(1))
                                .maxLogEvents(MAX_LOG_EVENTS));
                b.add(r);
                here.add(ref.getInstance());
            }
            for (String instance : here) hosts.forEach(builders.get(instance)::host);
        }
        List<InstanceView> out = new ArrayList<>();
        for (InstanceView.Builder b : builders.values()) out.add(b.buildAtNewestFact());
        return out;
    }

    private static InstanceRef ref(Record r) {
        return switch (r.getKindCase()) {
            case INFO -> r.getInfo().getRef();
            case PING -> r.getPing().getRef();
            case CONFIG -> r.getConfig().getRef();
            case LOG -> r.getLog().getRef();
            case PROCESS -> r.getProcess().getRef();
            default -> null;
        };
    }
}
