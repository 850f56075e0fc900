package io.redwatch.collector.rules;

import io.redwatch.proto.v1.InfoField;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.InfoSection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** One INFO sample with its fields by key (keys are unique across INFO sections). */
public final class InfoView {
    private final InfoSample sample;
    private final Map<String, String> fields = new HashMap<>();

    public InfoView(InfoSample sample) {
        this.sample = sample;
        for (InfoSection s : sample.getSectionsList()) {
            for (InfoField f : s.getFieldsList()) fields.put(f.getKey(), f.getValue());
        }
    }

    public long tsMs() {
        return sample.getTsMs();
    }

    /**
     * Pasted INFO text carries no time of its own: its sample time is when it was pasted, so rules
     * must not compare it with log timestamps.
     */
    public boolean pasted() {
        return "file".equals(sample.getSource());
    }

    public boolean failed() {
        return !sample.getError().isEmpty();
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(fields.get(key));
    }

    public OptionalLong number(String key) {
        String v = fields.get(key);
        if (v == null) return OptionalLong.empty();
        try {
            return OptionalLong.of(Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            try {
                return OptionalLong.of((long) Double.parseDouble(v.trim()));
            } catch (NumberFormatException e2) {
                return OptionalLong.empty();
            }
        }
    }

    public boolean has(String key) {
        return fields.containsKey(key);
    }

    /** The server's own clock at this sample (INFO server_time_usec, Redis 5+), else the sample time unless pasted. */
    public OptionalLong serverTimeMs() {
        OptionalLong usec = number("server_time_usec");
        if (usec.isPresent()) return OptionalLong.of(usec.getAsLong() / 1000);
        return pasted() ? OptionalLong.empty() : OptionalLong.of(tsMs());
    }

    public InfoSample sample() {
        return sample;
    }
}
