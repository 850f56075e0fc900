package io.redwatch.collector.rules.evidence;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.rules.view.ByteSize;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.proto.v1.HostFacts;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a fork of the Redis process asks of the kernel and what the kernel will promise under the
 * host's overcommit mode: mode 0 (heuristic) refuses a fork larger than MemAvailable + SwapFree,
 * mode 2 (strict) one larger than CommitLimit − Committed_AS, mode 1 never refuses.
 */
public final class ForkBudget {
    public final OptionalLong processBytes;
    final String processSource;
    /** -1 when unknown. */
    public final int overcommit;

    final String overcommitSource;
    public final OptionalLong promiseBytes;
    public final String promiseHow;

    private ForkBudget(
            OptionalLong processBytes,
            String processSource,
            int overcommit,
            String overcommitSource,
            OptionalLong promiseBytes,
            String promiseHow) {
        this.processBytes = processBytes;
        this.processSource = processSource;
        this.overcommit = overcommit;
        this.overcommitSource = overcommitSource;
        this.promiseBytes = promiseBytes;
        this.promiseHow = promiseHow;
    }

    public static ForkBudget of(InstanceView h) {
        OptionalLong rss = h.infoNumber("used_memory_rss");
        String source = "INFO used_memory_rss";
        if (rss.isEmpty() || rss.getAsLong() <= 0) {
            rss = h.latestProcess()
                    .filter(p -> p.getVmRss() > 0)
                    .map(p -> OptionalLong.of(p.getVmRss()))
                    .orElse(OptionalLong.empty());
            source = "VmRSS of pid "
                    + h.latestProcess().map(p -> Integer.toString(p.getPid())).orElse("?");
        }
        Optional<HostFacts> host = h.hostFacts();
        int mode = host.map(HostFacts::getOvercommitMemory).orElse(-1);
        String modeSource = "/proc/sys/vm/overcommit_memory";
        if (mode < 0 && h.hasLog(LogKind.STARTUP_WARNING_OVERCOMMIT)) {
            mode = 0;
            modeSource = "Redis's start-up warning";
        }
        OptionalLong promise = OptionalLong.empty();
        String how = "";
        if (host.isPresent() && host.get().getMemTotal() > 0) {
            HostFacts f = host.get();
            if (mode == 2) {
                long p = Math.max(0, f.getCommitLimit() - f.getCommittedAs());
                promise = OptionalLong.of(p);
                how = "CommitLimit " + ByteSize.human(f.getCommitLimit()) + " − Committed_AS "
                        + ByteSize.human(f.getCommittedAs());
            } else if (mode == 0) {
                promise = OptionalLong.of(f.getMemAvailable() + f.getSwapFree());
                how = "MemAvailable " + ByteSize.human(f.getMemAvailable()) + " + SwapFree "
                        + ByteSize.human(f.getSwapFree());
            }
        }
        return new ForkBudget(rss, source, mode, modeSource, promise, how);
    }

    public boolean overcommitKnown() {
        return overcommit >= 0;
    }

    /** True when both sides are known and the process is larger than the promise times the ratio. */
    public boolean atRisk(double ratio) {
        return (overcommit == 0 || overcommit == 2)
                && processBytes.isPresent()
                && promiseBytes.isPresent()
                && processBytes.getAsLong() > promiseBytes.getAsLong() * ratio;
    }

    public boolean wouldFail() {
        return atRisk(1.0);
    }

    public List<String> evidence(InstanceView h) {
        List<String> out = new ArrayList<>();
        String at = h.hostFacts()
                .map(f -> h.time(f.getTsMs()) + " host " + f.getHost() + ": ")
                .orElse("");
        if (overcommitKnown()) out.add(at + "vm.overcommit_memory = " + overcommit + " (" + overcommitSource + ")");
        processBytes.ifPresent(b -> out.add("redis process memory " + ByteSize.human(b) + " (" + processSource + ")"));
        promiseBytes.ifPresent(
                p -> out.add(at + "the kernel will promise a fork " + ByteSize.human(p) + " (" + promiseHow + ")"));
        return out;
    }
}
