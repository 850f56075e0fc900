package io.redwatch.collector.ingest;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most one live stream per agent id on this collector. Two agents with one id (cloned images
 * share a host name, the default id) would each be acknowledged as duplicates of the other's
 * sequence numbers and lose data silently; so a second stream is refused while the first is alive.
 *
 * <p>"Alive" means it sent something within {@link #silenceAllowedMs}: an agent sends every sampling
 * interval, so a stream silent for two intervals plus 10 s is the dead half of a dropped connection
 * (keepalive would close it within 80 s anyway). A reconnecting agent whose old stream went that
 * quiet takes over: the old stream is closed and the new one welcomed.
 */
public final class StreamGuard {
    /** A stream as the guard sees it. */
    public interface Live {
        long lastHeardMs();

        /** A batch of it is held by the collector, received or waiting to be asked for, not yet stored. */
        boolean waitingOnCollector();

        int intervalMs();

        String peer();

        /** Closes the stream with {@code reason} (replaced, revoked); safe from any thread. */
        void end(io.grpc.Status status, String reason);

        /** SHA-256 of the token the call was authenticated with; null with tokens off. */
        byte[] tokenHash();
    }

    private final ConcurrentHashMap<String, Live> live = new ConcurrentHashMap<>();

    static long silenceAllowedMs(int intervalMs) {
        return 2L * (intervalMs > 0 ? intervalMs : 10_000) + 10_000;
    }

    /** Registers {@code s} as the agent's stream; null when admitted, else the refusal for the agent and the log. */
    public String admit(String agentId, Live s, long nowMs) {
        for (; ; ) {
            Live old = live.putIfAbsent(agentId, s);
            if (old == null || old == s) return null;
            long silent = nowMs - old.lastHeardMs();
            long allowed = silenceAllowedMs(old.intervalMs());
            if (silent <= allowed) {
                return "agent id " + agentId + " is already streaming to this collector from " + old.peer()
                        + " (last message " + Math.max(0, silent) / 1000
                        + " s ago). Two agents with one agent_id overwrite each"
                        + " other's batch numbers and lose data: give each agent its own agent_id (agent.yaml `agent_id`)."
                        + " If the other stream is this agent's own dead connection, it is taken over once it has been silent "
                        + allowed / 1000 + " s";
            }
            if (live.replace(agentId, old, s)) {
                old.end(
                        io.grpc.Status.UNAVAILABLE,
                        "replaced by a new stream of agent " + agentId + " after " + silent / 1000 + " s of silence");
                return null;
            }
        }
    }

    public void leave(String agentId, Live s) {
        live.remove(agentId, s);
    }

    public Collection<java.util.Map.Entry<String, Live>> streams() {
        return live.entrySet();
    }

    /**
     * The agents whose streams wait on this collector (a batch being stored, or the stream held back
     * by the in-flight budget): heard, though their last batch is not stored yet.
     */
    public java.util.List<String> heardNotStored() {
        java.util.List<String> ids = new java.util.ArrayList<>();
        live.forEach((agentId, s) -> {
            if (s.waitingOnCollector()) ids.add(agentId);
        });
        return ids;
    }

    public int size() {
        return live.size();
    }
}
