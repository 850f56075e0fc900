package io.redwatch.collector.rules.evidence;

import io.redwatch.collector.facts.LogKind;
import io.redwatch.collector.facts.LogLine;
import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.collector.rules.view.LogText;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Full resyncs in the log, per peer: on a replica each "Full resync from master" (peer: its master),
 * on a master each request for synchronization that ended in a full resync (peer: that replica).
 * A master logs the request first ("Replica X asks for synchronization") and then one of "Full
 * resync requested by X", "Unable to partial resync with X", "Partial resynchronization not accepted"
 * or "Starting BGSAVE for SYNC"; each request is counted once.
 */
public final class FullResyncs {
    /** Peer description ("replica 10.0.0.2:6379" or "master 10.0.0.1:6379") → the line of each full resync. */
    private final Map<String, List<LogLine>> byPeer = new LinkedHashMap<>();

    public static FullResyncs of(InstanceView h) {
        FullResyncs r = new FullResyncs();
        String master = null;
        String asking = null;
        for (LogLine l : h.logs()) {
            String text = l.text();
            Optional<String> connecting = LogText.masterAddress(text);
            if (connecting.isPresent()) master = connecting.get();
            if (l.is(LogKind.SYNC_REQUESTED)) {
                asking = LogText.replicaAddress(text).orElse("?");
            } else if (l.is(LogKind.FULL_RESYNC) && text.contains("Full resync from master")) {
                r.add("master " + (master == null ? "(address not in the log)" : master), l);
            } else if (l.is(LogKind.FULL_RESYNC) || l.is(LogKind.PARTIAL_RESYNC_REFUSED)) {
                Optional<String> named = LogText.replicaAddress(text);
                if (asking != null) {
                    r.add("replica " + named.orElse(asking), l);
                    asking = null;
                } else if (named.isPresent()) {
                    r.add("replica " + named.get(), l);
                }
            }
        }
        return r;
    }

    /** The full resyncs of each peer, oldest first, peers in the order the log first names them. */
    public Map<String, List<LogLine>> byPeer() {
        return Collections.unmodifiableMap(byPeer);
    }

    private void add(String peer, LogLine l) {
        byPeer.computeIfAbsent(peer, k -> new ArrayList<>()).add(l);
    }

    /** The most full resyncs of one peer within any window of the given length. */
    public static int maxInWindow(List<LogLine> lines, long windowMs) {
        int best = 0;
        int from = 0;
        for (int to = 0; to < lines.size(); to++) {
            while (lines.get(to).tsMs() - lines.get(from).tsMs() > windowMs) from++;
            best = Math.max(best, to - from + 1);
        }
        return best;
    }
}
