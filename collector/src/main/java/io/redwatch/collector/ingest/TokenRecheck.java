package io.redwatch.collector.ingest;

import io.grpc.Status;
import io.redwatch.collector.security.AgentTokens;
import io.redwatch.collector.security.IngestLimits;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Checks the tokens of open streams again (every {@link IngestLimits#tokenRecheck()}), so a revoked
 * or expired token stops its agent's stream within that time instead of at its next reconnect.
 */
public final class TokenRecheck {
    private static final Logger LOG = Logger.getLogger(TokenRecheck.class.getName());
    private final AgentTokens tokens;
    private final StreamGuard streams;
    private final IngestMetrics metrics;

    public TokenRecheck(AgentTokens tokens, StreamGuard streams, IngestMetrics metrics) {
        this.tokens = tokens;
        this.streams = streams;
        this.metrics = metrics;
    }

    /** Blocking (one query); returns how many streams were closed. */
    public int run() {
        List<Map.Entry<String, StreamGuard.Live>> open = new ArrayList<>(streams.streams());
        List<byte[]> hashes = new ArrayList<>(open.size());
        for (Map.Entry<String, StreamGuard.Live> e : open) {
            if (e.getValue().tokenHash() != null) hashes.add(e.getValue().tokenHash());
        }
        if (hashes.isEmpty()) return 0;
        var valid = tokens.stillValid(hashes);
        int closed = 0;
        for (Map.Entry<String, StreamGuard.Live> e : open) {
            byte[] hash = e.getValue().tokenHash();
            if (hash == null || valid.contains(ByteBuffer.wrap(hash))) continue;
            closed++;
            metrics.streamsRevoked.incrementAndGet();
            LOG.warning("closed the stream of agent " + e.getKey() + " (from "
                    + e.getValue().peer()
                    + "): its token was revoked or has expired. Give the agent a new token"
                    + " (`redwatch-collector token create --agent-id " + e.getKey() + "`) if it should stay");
            e.getValue().end(Status.UNAUTHENTICATED, "the token was revoked or has expired");
        }
        return closed;
    }
}
