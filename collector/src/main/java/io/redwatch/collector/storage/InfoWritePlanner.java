package io.redwatch.collector.storage;

import io.redwatch.collector.facts.SharedText;
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
final class InfoWritePlanner {
    static final Duration RECORD_EVERY = Duration.ofMinutes(1);

    /**
     * The latest record known to be stored for one instance: its time and source, a fingerprint of
     * its field names, and its {@link InfoColumns#EXACT} values. Small on purpose: the whole record
     * as text was ~30 KB per instance, the largest thing a collector held for each one.
     */
    record State(long recordMs, String source, long fieldSet, String[] exact) {}

    /**
     * What to write for one sample: the typed column values (null where the field is absent or
     * untypable), and the record's fields, or null when the sample writes no record.
     */
    record Decision(Object[] typed, Map<String, String> record) {}

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
            pending.put(instance, new State(tsMs, source, fieldSet(fields), exact(fields)));
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
                    || fieldSet(fields) != state.fieldSet()) {
                return true;
            }
            for (int i = 0; i < InfoColumns.EXACT.size(); i++) {
                if (!Objects.equals(fields.get(InfoColumns.EXACT.get(i)), state.exact()[i])) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * A 64-bit fingerprint of a sample's field names, independent of their order: a field that
     * appears or goes away changes it (a 32-bit set hash would let one in four billion changes
     * through; this one, one in 2^64).
     */
    static long fieldSet(Map<String, String> fields) {
        long sum = fields.size();
        for (String name : fields.keySet()) {
            long h = name.hashCode() * 0x9E3779B97F4A7C15L + name.length();
            h ^= h >>> 31;
            h *= 0xBF58476D1CE4E5B9L;
            h ^= h >>> 29;
            sum += h;
        }
        return sum;
    }

    private static String[] exact(Map<String, String> fields) {
        String[] out = new String[InfoColumns.EXACT.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = SharedText.of(fields.get(InfoColumns.EXACT.get(i)));
        }
        return out;
    }
}
