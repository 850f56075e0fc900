package io.redwatch.collector.facts;

import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.InfoSection;
import io.redwatch.proto.v1.Record;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An agent's batch as the collector reads it, once, when it arrives: each INFO sample flattened to
 * its fields by name and typed by the catalog, each log line classified. Storage and live diagnosis
 * both take this, so no INFO reply is flattened twice and no line classified twice.
 */
public final class BatchFacts {
    private final Batch batch;
    private final Object[] facts; // per record: Map<String,String> + TypedInfo for INFO, LogLine for LOG

    private BatchFacts(Batch batch) {
        this.batch = batch;
        List<Record> records = batch.getRecordsList();
        this.facts = new Object[records.size() * 2];
        for (int i = 0; i < records.size(); i++) {
            Record r = records.get(i);
            switch (r.getKindCase()) {
                case INFO -> {
                    InfoSample s = r.getInfo();
                    Map<String, String> fields = fields(s);
                    facts[2 * i] = fields;
                    facts[2 * i + 1] = TypedInfo.of(
                            s.getTsMs(),
                            "file".equals(s.getSource()),
                            !s.getError().isEmpty(),
                            fields);
                }
                case LOG -> facts[2 * i] = LogLine.of(r.getLog());
                default -> {}
            }
        }
    }

    public static BatchFacts of(Batch batch) {
        return new BatchFacts(batch);
    }

    public Batch batch() {
        return batch;
    }

    public List<Record> records() {
        return batch.getRecordsList();
    }

    /** Every field of the INFO sample at record {@code i}, by name, in the reply's order. */
    @SuppressWarnings("unchecked")
    public Map<String, String> infoFields(int i) {
        return (Map<String, String>) facts[2 * i];
    }

    /** The INFO sample at record {@code i}, typed by the catalog. */
    public TypedInfo typedInfo(int i) {
        return (TypedInfo) facts[2 * i + 1];
    }

    /** The log line at record {@code i}, classified. */
    public LogLine logLine(int i) {
        return (LogLine) facts[2 * i];
    }

    /** Every field of a sample, by name; a later duplicate name wins, as in a JSON object. */
    public static Map<String, String> fields(InfoSample sample) {
        Map<String, String> fields = new LinkedHashMap<>(256);
        for (InfoSection section : sample.getSectionsList()) {
            for (io.redwatch.proto.v1.InfoField f : section.getFieldsList()) {
                fields.put(f.getKey(), f.getValue());
            }
        }
        return fields;
    }
}
