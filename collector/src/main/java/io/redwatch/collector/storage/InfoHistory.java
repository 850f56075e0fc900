package io.redwatch.collector.storage;

import io.redwatch.proto.v1.InfoField;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.InfoSection;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides, per INFO sample, what to write so that every field stays queryable at one-minute
 * resolution for well under 300 bytes per sample: a typed row every sample, and an INFO record
 * (every field but the typed ones) when a minute has passed since the last record, and at once when
 * the field set, the source, a typed field no column can hold, or a field of
 * {@link InfoColumns#EXACT} changed. redwatch_info pairs a sample with the latest record at or
 * before it, and a record stands alone (no reference to an earlier one).
 *
 * <p>What it remembers per instance (the last record) only saves writing records: without it
 * (collector restart, another collector took over) the sample gets a record of its own. State
 * changes become visible to other batches only after the batch commits ({@link Plan#publish}).
 */
final class InfoHistory {
    static final Duration RECORD_EVERY = Duration.ofMinutes(1);

    /** The latest record known to be stored for one instance: its time, source and the sample's fields. */
    record State(long recordMs, String source, Map<String, String> fields) {
    }

    /**
     * What to write for one sample: the typed column values (null where the field is absent or
     * untypable), and the record's fields, or null when the sample writes no record.
     */
    record Decision(Object[] typed, Map<String, String> record) {
    }

    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

    /** Starts the decisions for one batch. */
    Plan plan() {
        return new Plan();
    }

    /** Forgets what was remembered about this instance (e.g. its agent reconnected). */
    void forget(String instance) {
        states.remove(instance);
    }

    int remembered() {
        return states.size();
    }

    /** Every field of a sample, by name; a later duplicate name wins, as in a JSON object. */
    static Map<String, String> fields(InfoSample sample) {
        Map<String, String> fields = new LinkedHashMap<>(256);
        for (InfoSection section : sample.getSectionsList()) {
            for (InfoField f : section.getFieldsList()) {
                fields.put(f.getKey(), f.getValue());
            }
        }
        return fields;
    }

    final class Plan {
        private final Map<String, State> pending = new HashMap<>();

        Decision decide(String instance, long tsMs, String source, Map<String, String> fields) {
            List<InfoColumns.Column> columns = InfoColumns.TYPED;
            Object[] typed = new Object[columns.size()];
            boolean untypable = false;
            for (int i = 0; i < typed.length; i++) {
                String text = fields.get(columns.get(i).field());
                if (text != null) {
                    typed[i] = InfoColumns.typed(columns.get(i).kind(), text);
                    untypable |= typed[i] == null;
                }
            }
            State state = pending.containsKey(instance) ? pending.get(instance) : states.get(instance);
            // A value no column can hold exactly must be in the record this very sample refers to.
            if (!untypable && !needsRecord(state, tsMs, source, fields)) {
                return new Decision(typed, null);
            }
            Map<String, String> record = new LinkedHashMap<>(fields);
            for (int i = 0; i < typed.length; i++) {
                if (typed[i] != null) {
                    record.remove(columns.get(i).field());
                }
            }
            pending.put(instance, new State(tsMs, source, fields));
            return new Decision(typed, record);
        }

        /** Makes this batch's records the remembered state; call after commit. */
        void publish() {
            states.putAll(pending);
        }

        private boolean needsRecord(State state, long tsMs, String source, Map<String, String> fields) {
            if (state == null
                    || !source.equals(state.source())
                    || tsMs < state.recordMs()
                    || tsMs - state.recordMs() >= RECORD_EVERY.toMillis()
                    || !fields.keySet().equals(state.fields().keySet())) {
                return true;
            }
            for (String exact : InfoColumns.EXACT) {
                if (!Objects.equals(fields.get(exact), state.fields().get(exact))) {
                    return true;
                }
            }
            return false;
        }
    }
}
