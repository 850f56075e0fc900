package io.redwatch.collector.security;

import java.time.Duration;

/**
 * Bounds on what a caller may hold open before and after it is authenticated.
 *
 * @param connectionsPerAddress connections one remote address may hold; behind a TCP load balancer
 *                              that hides the agents' addresses this must exceed the agent count
 * @param connections           connections in all (see {@link #connectionsFor})
 * @param callsPerConnection    streams per connection (an agent needs one; one spare for a replacement)
 * @param connectionAge         a connection is closed after this (±10 %), so every agent re-authenticates
 * @param connectionAgeGrace    how long its streams may finish after that
 * @param tokenRecheck          how often open streams' tokens are checked again (revocation delay)
 * @param inflightBytes         bytes of batches received and not yet acknowledged, all streams together,
 *                              before streams stop reading and their agents spool (IngestGate)
 */
public record IngestLimits(
        int connectionsPerAddress,
        int connections,
        int callsPerConnection,
        Duration connectionAge,
        Duration connectionAgeGrace,
        Duration tokenRecheck,
        long inflightBytes) {
    /** 16 MiB is about 1,000 typical batches: more than one group commit takes. */
    public static final long DEFAULT_INFLIGHT_BYTES = 16L << 20;

    /**
     * Direct memory one agent connection may hold: its HTTP/2 window and one read buffer of bytes not
     * yet asked for (16 KiB each, see the collector's gRPC server), with the allocator's slack. At
     * 10,000 agents held back the collector measured 35 KB per connection.
     */
    public static final int CONNECTION_DIRECT_BYTES = 40 << 10;

    /** As many connections as {@code directMemoryBytes} holds at {@link #CONNECTION_DIRECT_BYTES} each. */
    public static int connectionsFor(long directMemoryBytes) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, directMemoryBytes / CONNECTION_DIRECT_BYTES));
    }

    /** The defaults for a collector with {@code directMemoryBytes} of direct memory (-XX:MaxDirectMemorySize). */
    public static IngestLimits defaults(long directMemoryBytes) {
        return new IngestLimits(
                1024,
                connectionsFor(directMemoryBytes),
                2,
                Duration.ofHours(4),
                Duration.ofSeconds(30),
                Duration.ofSeconds(30),
                DEFAULT_INFLIGHT_BYTES);
    }

    /** The same limits with another bound on connections per address (collector.yaml {@code connections_per_address}). */
    public IngestLimits withConnectionsPerAddress(int n) {
        return new IngestLimits(
                n, connections, callsPerConnection, connectionAge, connectionAgeGrace, tokenRecheck, inflightBytes);
    }

    /** The same limits with another in-flight budget (tests make it small enough to reach). */
    public IngestLimits withInflightBytes(long bytes) {
        return new IngestLimits(
                connectionsPerAddress,
                connections,
                callsPerConnection,
                connectionAge,
                connectionAgeGrace,
                tokenRecheck,
                bytes);
    }
}
