package io.redwatch.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.redwatch.collector.rules.Diagnosis;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/incidents.md lists exactly the rule ids the collector reports: ids are an interface, the doc is their reference. */
class IncidentReferenceTest {
    private static final Pattern TABLE_ROW_ID = Pattern.compile("(?m)^\\| `([a-z][a-z0-9_]*)` \\|");

    @Test
    void theReferenceNamesEveryRuleIdAndNoOther() throws IOException {
        Path doc = Path.of("").toAbsolutePath().getParent().resolve("docs/incidents.md");
        Matcher m = TABLE_ROW_ID.matcher(Files.readString(doc));
        Set<String> documented = new TreeSet<>();
        while (m.find()) documented.add(m.group(1));

        Set<String> reported = new TreeSet<>(Diagnosis.ruleIds());
        reported.add("agent_silent"); // judged per agent, outside the per-instance diagnosis

        assertEquals(reported, documented);
    }
}
