package io.redwatch.collector.diagnosis;

import io.redwatch.collector.rules.Finding;
import java.util.List;

/** Receives the complete list of current findings for one key (an instance, or a host for agent_silent). */
@FunctionalInterface
public interface FindingsSink {
    void evaluated(String instance, String host, List<Finding> findings, long nowMs);
}
