package io.redwatch.proto;

import io.redwatch.proto.v1.Record;

/**
 * The time a record of the wire schema speaks of: its sample time, or for a gap the end of the span
 * it describes; 0 for a record of no kind (one from a newer agent). Kept beside the schema because
 * both sides read it: the agent's spool for the spans of what it lost, the collector for its clock
 * bounds.
 */
public final class RecordTime {
    private RecordTime() {}

    public static long of(Record r) {
        return switch (r.getKindCase()) {
            case INFO -> r.getInfo().getTsMs();
            case PING -> r.getPing().getTsMs();
            case CONFIG -> r.getConfig().getTsMs();
            case LOG -> r.getLog().getTsMs();
            case HOST -> r.getHost().getTsMs();
            case PROCESS -> r.getProcess().getTsMs();
            case GAP -> r.getGap().getToMs();
            case KIND_NOT_SET -> 0;
        };
    }
}
