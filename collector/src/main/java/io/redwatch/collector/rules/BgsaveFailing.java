package io.redwatch.collector.rules;

import io.redwatch.collector.rules.evidence.SaveHealth;
import io.redwatch.collector.rules.view.InstanceView;
import java.util.List;
import java.util.Optional;

/** bgsave_failing: the last background save failed, for any cause (fork, an unwritable dir, a full disk, a signal). */
final class BgsaveFailing implements Rule {
    @Override
    public String id() {
        return "bgsave_failing";
    }

    @Override
    public Optional<Finding> evaluate(InstanceView h, Thresholds t) {
        SaveHealth s = SaveHealth.rdb(h);
        if (!s.everFailed() || h.currentOnly() && !s.failingNow) return Optional.empty();
        String cause = s.cause();
        String summary = h.instance()
                + (s.failingNow ? " is not saving to disk: " : " failed to save to disk: ")
                + shortCause(cause)
                + (s.failures.size() > 1
                        ? " (" + s.failures.size() + " failures since "
                                + h.clock(s.failures.get(0).tsMs()) + ")"
                        : "")
                + (s.failingNow
                        ? ""
                        : "; saving worked again"
                                + s.recovery
                                        .map(r -> " at " + h.clock(r.tsMs()))
                                        .orElse(""));
        List<String> evidence = s.evidence(h, t.evidenceLines());
        return Optional.of(Finding.of(
                h,
                id(),
                s.failingNow ? Severity.CRITICAL : Severity.WARNING,
                summary,
                evidence,
                advice(cause),
                s.newestTs(h)));
    }

    static String shortCause(String cause) {
        if (cause.contains("fork"))
            return "fork() fails" + (cause.contains("Cannot allocate memory") ? " for lack of memory" : "");
        if (cause.startsWith("rdb_last_bgsave_status")) return "INFO says the last background save failed";
        return cause;
    }

    static String advice(String cause) {
        if (cause.contains("fork")) return Advice.OVERCOMMIT;
        if (cause.contains("Failed opening") || cause.contains("Error moving temp DB file")) {
            return "Make the data directory exist and be writable by the redis user: check `redis-cli CONFIG GET dir` and "
                    + "`ls -ld <dir>`; check free space with `df -h <dir>`; then run BGSAVE and watch the log.";
        }
        if (cause.contains("Write error") || cause.contains("Failed saving")) {
            return "The disk refused the write: check free space and errors (`df -h <dir>`, `dmesg | tail`), then run BGSAVE.";
        }
        if (cause.contains("signal")) {
            return "The saving child was killed: look for the kernel's OOM killer in `dmesg` and give the host memory, then run BGSAVE.";
        }
        return "Read the lines before the failure in the Redis log for the cause; run BGSAVE after fixing it and watch INFO persistence.";
    }
}
