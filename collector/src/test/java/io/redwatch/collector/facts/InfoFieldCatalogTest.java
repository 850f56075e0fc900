package io.redwatch.collector.facts;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The catalog is the contract between the rules and what the collector keeps: every INFO field a
 * rule names must be in it, and every reader it names must be a rule that exists.
 */
class InfoFieldCatalogTest {
    private static final Path RULES = Path.of("src/main/java/io/redwatch/collector/rules");
    private static final Pattern FIELD_READ =
            Pattern.compile("\\b(?:info|infoNumber|infoWith|number|get|has)\\(\"([a-z][a-zA-Z0-9_]*)\"\\)");
    private static final Pattern RULE_ID = Pattern.compile("\"([a-z]+(?:_[a-z]+)+)\"");

    @Test
    void everyFieldARuleReadsIsInTheCatalog() throws IOException {
        Set<String> missing = new TreeSet<>();
        for (String source : sources()) {
            Matcher m = FIELD_READ.matcher(source);
            while (m.find()) {
                if (InfoField.byKey(m.group(1)).isEmpty() && !m.group(1).contains("-")) missing.add(m.group(1));
            }
        }
        assertTrue(missing.isEmpty(), "INFO fields read by rules but not kept by the catalog: " + missing);
    }

    @Test
    void everyReaderIsARuleId() throws IOException {
        Set<String> ids = new TreeSet<>();
        for (String source : sources()) {
            Matcher m = RULE_ID.matcher(source);
            while (m.find()) ids.add(m.group(1));
        }
        List<String> unknown = new ArrayList<>();
        for (InfoField f : InfoField.values()) {
            for (String reader : f.readers()) {
                if (!ids.contains(reader)) unknown.add(f.key() + " → " + reader);
            }
        }
        assertTrue(unknown.isEmpty(), "readers that are no rule id: " + unknown);
    }

    private static List<String> sources() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(RULES)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) out.add(Files.readString(p));
        }
        return out;
    }
}
