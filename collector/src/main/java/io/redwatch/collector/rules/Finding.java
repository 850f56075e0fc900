package io.redwatch.collector.rules;

import io.redwatch.collector.rules.view.InstanceView;
import java.util.List;

/**
 * One diagnosis: which rule (an id of docs/incidents.md), about which instance, in words a person reads on
 * a phone, with the facts that triggered it and the exact fix.
 *
 * @param rule      stable rule id, e.g. {@code fork_enomem}
 * @param instance  {@code host:port}; for host-wide rules the instance that runs on that host
 * @param host      the machine
 * @param summary   one line: what happened, where
 * @param evidence  the INFO fields, log lines and OS facts that triggered it, each with its time
 * @param advice    the exact command or config line to run or set
 * @param tsMs      when the finding holds (the newest fact it rests on)
 */
public record Finding(
        String rule,
        Severity severity,
        String instance,
        String host,
        String summary,
        List<String> evidence,
        String advice,
        long tsMs) {
    public Finding {
        evidence = List.copyOf(evidence);
    }

    /** A finding about the instance and host of {@code h}; built here so the history knows nothing of findings. */
    static Finding of(
            InstanceView h,
            String rule,
            Severity severity,
            String summary,
            List<String> evidence,
            String advice,
            long tsMs) {
        return new Finding(rule, severity, h.instance(), h.host(), summary, evidence, advice, tsMs);
    }
}
