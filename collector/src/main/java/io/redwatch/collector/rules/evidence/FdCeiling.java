package io.redwatch.collector.rules.evidence;

import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.rules.view.ByteSize;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.collector.rules.view.Setting;
import io.redwatch.proto.v1.ProcessFacts;
import java.util.Optional;

/**
 * The real descriptor ceiling of a Redis process: the smaller of its event loop's size
 * (maxclients + 128: a descriptor numbered above it cannot be registered) and RLIMIT_NOFILE.
 *
 * @param fds how many descriptors fit
 * @param how where the number comes from, for evidence ("maxclients 10000 + 128", "RLIMIT_NOFILE 10032")
 */
public record FdCeiling(long fds, String how, Setting maxclients) {

    public static FdCeiling of(InstanceView h) {
        Setting maxclients = h.setting("maxclients");
        long mc = ByteSize.parse(maxclients.value());
        long ceiling = mc + 128;
        String how = "maxclients " + mc + " + 128";
        Optional<ProcessFacts> p = h.latestProcess();
        if (p.isPresent() && p.get().getNofileSoft() > 0 && (mc < 0 || p.get().getNofileSoft() < ceiling)) {
            ceiling = p.get().getNofileSoft();
            how = "RLIMIT_NOFILE " + ceiling;
        }
        return new FdCeiling(ceiling, how, maxclients);
    }

    /** A registration or pipe error whose reason is a descriptor past the event loop (ERANGE), or that gives no reason. */
    public static boolean pastEventLoop(LogLine l) {
        String t = l.text();
        int colon = t.lastIndexOf(": ");
        boolean reasonGiven =
                colon > 0 && (t.contains("(fd=") ? t.indexOf("(fd=") > colon + 2 : colon + 2 < t.length());
        return t.contains("out of range") || t.contains("Result too large") || !reasonGiven;
    }
}
