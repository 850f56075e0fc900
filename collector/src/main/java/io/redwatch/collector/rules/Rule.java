package io.redwatch.collector.rules;

import io.redwatch.collector.rules.view.InstanceView;
import java.util.Optional;

/** One rule of docs/incidents.md: at most one finding per instance history. */
public interface Rule {
    /** The stable rule id, e.g. {@code fork_enomem}. */
    String id();

    Optional<Finding> evaluate(InstanceView h, Thresholds t);
}
