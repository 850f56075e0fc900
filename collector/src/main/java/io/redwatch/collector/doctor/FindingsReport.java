package io.redwatch.collector.doctor;

import io.redwatch.collector.rules.Finding;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Findings as the JSON of DESIGN.md, or as a report a person reads in a terminal. */
final class FindingsReport {
    private FindingsReport() {}

    static String json(List<Finding> findings) {
        JsonArray arr = new JsonArray();
        for (Finding f : findings) {
            arr.add(new JsonObject()
                    .put("rule", f.rule())
                    .put("severity", f.severity().word())
                    .put("instance", f.instance())
                    .put("host", f.host())
                    .put("summary", f.summary())
                    .put("evidence", new JsonArray(List.copyOf(f.evidence())))
                    .put("advice", f.advice())
                    .put("ts_ms", f.tsMs()));
        }
        return new JsonObject().put("findings", arr).encodePrettily();
    }

    static String text(List<Finding> findings, int instances) {
        StringBuilder sb = new StringBuilder();
        if (findings.isEmpty()) {
            sb.append("No findings: nothing in the snapshot of ")
                    .append(instances)
                    .append(instances == 1 ? " instance" : " instances")
                    .append(" matches a known incident.\n");
            return sb.toString();
        }
        sb.append(findings.size())
                .append(findings.size() == 1 ? " finding" : " findings")
                .append(" for ")
                .append(instances)
                .append(instances == 1 ? " instance" : " instances")
                .append(", most severe first.\n");
        for (Finding f : findings) {
            sb.append('\n')
                    .append(f.severity().name())
                    .append("  ")
                    .append(f.rule())
                    .append("  ")
                    .append(f.instance())
                    .append('\n');
            sb.append("  ").append(f.summary()).append('\n');
            if (!f.evidence().isEmpty()) {
                sb.append("  evidence:\n");
                for (String e : f.evidence()) sb.append("    ").append(e).append('\n');
            }
            sb.append("  advice: ").append(f.advice()).append('\n');
        }
        return sb.toString();
    }
}
