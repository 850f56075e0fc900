package io.redwatch.agent.spool;

import io.redwatch.proto.v1.Record;

/** The sample time of any record, for gap spans. */
final class RecordTime {
    private RecordTime() {}

    static long of(Record r) {
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
