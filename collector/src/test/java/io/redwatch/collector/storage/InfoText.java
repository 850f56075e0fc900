package io.redwatch.collector.storage;

import io.redwatch.proto.v1.InfoField;
import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.InfoSection;
import io.redwatch.proto.v1.InstanceRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A minimal INFO text reader for building test messages (the real parser lives in the agent):
 * "# Section" headers and "key:value" lines, split at the first colon.
 */
final class InfoText {
    /** Section name -> (field -> value), in reply order. */
    final Map<String, Map<String, String>> sections;

    InfoText(Map<String, Map<String, String>> sections) {
        this.sections = sections;
    }

    static InfoText parse(String text) {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        Map<String, String> current = null;
        for (String line : text.split("\r?\n")) {
            if (line.startsWith("# ")) {
                current = sections.computeIfAbsent(line.substring(2).trim(), k -> new LinkedHashMap<>());
            } else if (!line.isBlank()) {
                int colon = line.indexOf(':');
                if (current == null) {
                    current = sections.computeIfAbsent("", k -> new LinkedHashMap<>());
                }
                current.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return new InfoText(sections);
    }

    static InfoText resource(String name) {
        try (InputStream in = InfoText.class.getResourceAsStream("/storage/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource storage/" + name);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every field, flat, as the view's info jsonb should show it. */
    Map<String, String> flat() {
        Map<String, String> all = new LinkedHashMap<>();
        sections.values().forEach(all::putAll);
        return all;
    }

    InfoSample toSample(String instance, long tsMs) {
        InfoSample.Builder b =
                InfoSample.newBuilder().setRef(ref(instance)).setTsMs(tsMs).setSource("everything");
        for (Map.Entry<String, Map<String, String>> s : sections.entrySet()) {
            InfoSection.Builder section = InfoSection.newBuilder().setName(s.getKey());
            s.getValue()
                    .forEach((k, v) ->
                            section.addFields(InfoField.newBuilder().setKey(k).setValue(v)));
            b.addSections(section);
        }
        return b.build();
    }

    InfoText with(String field, String value) {
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        sections.forEach((name, fields) -> {
            Map<String, String> f = new LinkedHashMap<>(fields);
            if (f.containsKey(field)) {
                f.put(field, value);
            }
            copy.put(name, f);
        });
        return new InfoText(copy);
    }

    /** A copy with a field this reply did not have, at the end of {@code section}. */
    InfoText plus(String section, String field, String value) {
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        sections.forEach((name, fields) -> copy.put(name, new LinkedHashMap<>(fields)));
        copy.computeIfAbsent(section, k -> new LinkedHashMap<>()).put(field, value);
        return new InfoText(copy);
    }

    static InstanceRef ref(String instance) {
        int colon = instance.lastIndexOf(':');
        return InstanceRef.newBuilder()
                .setInstance(instance)
                .setHost(instance.substring(0, colon))
                .setPort(Integer.parseInt(instance.substring(colon + 1)))
                .build();
    }
}
