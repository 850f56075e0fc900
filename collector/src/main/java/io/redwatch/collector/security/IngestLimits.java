package io.redwatch.collector.security;

import java.time.Duration;

/**
 * Bounds on what a caller may hold open before and after it is authenticated.
 *
 * @param connectionsPerAddress connections one remote address may hold; behind a TCP load balancer
 *                              that hides the agents' addresses this must exceed the agent count
 * @param callsPerConnection    streams per connection (an agent needs one; one spare for a replacement)
 * @param connectionAge         a connection is closed after this (±10 %), so every agent re-authenticates
 * @param connectionAgeGrace    how long its streams may finish after that
 * @param tokenRecheck          how often open streams' tokens are checked again (revocation delay)
 */
public record IngestLimits(int connectionsPerAddress, int callsPerConnection, Duration connectionAge,
                           Duration connectionAgeGrace, Duration tokenRecheck) {
    public static IngestLimits defaults() {
        return new IngestLimits(1024, 2, Duration.ofHours(4), Duration.ofSeconds(30), Duration.ofSeconds(30));
    }

    /** The same limits with another bound on connections per address (collector.yaml {@code connections_per_address}). */
    public IngestLimits withConnectionsPerAddress(int n) {
        return new IngestLimits(n, callsPerConnection, connectionAge, connectionAgeGrace, tokenRecheck);
    }
}
