package io.redwatch.collector.rules.view;

import io.redwatch.collector.facts.InfoField;
import io.redwatch.collector.facts.TypedInfo;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One INFO sample as rules read it, by field name. Only fields of the catalog ({@link InfoField})
 * exist here: naming any other is a bug and throws, so a rule that starts reading a new field fails
 * its tests until the catalog keeps that field.
 */
public final class InfoView {
    private final TypedInfo sample;

    public InfoView(TypedInfo sample) {
        this.sample = sample;
    }

    public long tsMs() {
        return sample.tsMs();
    }

    /**
     * Pasted INFO text carries no time of its own: its sample time is when it was pasted, so rules
     * must not compare it with log timestamps.
     */
    public boolean pasted() {
        return sample.pasted();
    }

    public boolean failed() {
        return sample.failed();
    }

    public Optional<String> get(String key) {
        return sample.text(InfoField.of(key));
    }

    public OptionalLong number(String key) {
        return sample.number(InfoField.of(key));
    }

    public boolean has(String key) {
        return sample.has(InfoField.of(key));
    }

    /** The server's own clock at this sample (INFO server_time_usec, Redis 5+), else the sample time unless pasted. */
    public OptionalLong serverTimeMs() {
        OptionalLong usec = number("server_time_usec");
        if (usec.isPresent()) return OptionalLong.of(usec.getAsLong() / 1000);
        return pasted() ? OptionalLong.empty() : OptionalLong.of(tsMs());
    }

    public TypedInfo sample() {
        return sample;
    }
}
