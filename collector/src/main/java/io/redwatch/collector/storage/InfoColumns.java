package io.redwatch.collector.storage;

import io.redwatch.collector.facts.InfoField;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which INFO fields get a typed column in info_samples (stored every sample), and which fields must
 * be exact at every sample in redwatch_info, so that a change of one writes an INFO record at once.
 * Kept as data so adding a column is one line here plus a migration.
 */
final class InfoColumns {
    enum Kind {
        BIGINT,
        INTEGER
    }

    record Column(String field, Kind kind) {}

    /*
     * A column costs 4-8 bytes every sample, while a field in the records costs ~1-3 bytes a sample
     * after compression, and nothing when it does not move (docs/benchmarks.md). So only the
     * fields that move nearly every sample and that redwatch_info gives at full resolution are
     * columns; fields that must be exact but change rarely are in EXACT instead.
     */
    /** The typed columns of info_samples, from the field catalog. */
    static final List<Column> TYPED = typedColumns();

    /**
     * Fields redwatch_info must give exactly at every sample although they are not columns: the
     * statuses and flags rules and operators read, and the fields that identify the server or its
     * configuration. They rarely change; a change writes an INFO record at that sample. From the
     * field catalog ({@link InfoField.Column#EXACT}).
     */
    static final List<String> EXACT = Arrays.stream(InfoField.values())
            .filter(f -> f.column() == InfoField.Column.EXACT)
            .map(InfoField::key)
            .toList();

    private static List<Column> typedColumns() {
        List<Column> out = new ArrayList<>();
        for (InfoField f : InfoField.values()) {
            switch (f.column()) {
                case BIGINT -> out.add(new Column(f.key(), Kind.BIGINT));
                case INTEGER -> out.add(new Column(f.key(), Kind.INTEGER));
                default -> {}
            }
        }
        return List.copyOf(out);
    }

    private InfoColumns() {}

    /**
     * The value as the column's Java type, or null when the text would not read back identically
     * from the column (then the field is stored in the record instead, so nothing is altered).
     */
    static Object typed(Kind kind, String text) {
        try {
            return switch (kind) {
                case BIGINT -> {
                    long v = Long.parseLong(text);
                    yield Long.toString(v).equals(text) ? v : null;
                }
                case INTEGER -> {
                    int v = Integer.parseInt(text);
                    yield Integer.toString(v).equals(text) ? v : null;
                }
            };
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
