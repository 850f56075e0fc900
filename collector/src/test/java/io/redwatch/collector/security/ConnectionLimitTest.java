package io.redwatch.collector.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Attributes;
import io.grpc.Grpc;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Connections are bounded per address and in all; a closed one frees its place. */
class ConnectionLimitTest {
    @Test
    void pastTheLimitInAllEveryAddressIsRefusedUntilOneCloses() {
        ConnectionLimit limit = new ConnectionLimit(100, 3);
        Attributes first = limit.transportReady(from("10.0.0.1"));
        assertNull(first.get(ConnectionLimit.OVER_LIMIT));
        assertNull(limit.transportReady(from("10.0.0.2")).get(ConnectionLimit.OVER_LIMIT));
        assertNull(limit.transportReady(from("10.0.0.3")).get(ConnectionLimit.OVER_LIMIT));

        Attributes fourth = limit.transportReady(from("10.0.0.4"));
        ConnectionLimit.Excess excess = fourth.get(ConnectionLimit.OVER_LIMIT);
        assertNotNull(excess, "a fourth connection is past the limit of 3 in all");
        assertTrue(excess.toAgent().contains("full (3 connections)"), excess.toAgent());
        assertTrue(excess.toOperator().contains("MaxDirectMemorySize"), excess.toOperator());

        limit.transportTerminated(fourth); // a refused connection, closed, frees its own place only
        limit.transportTerminated(first);
        assertNull(limit.transportReady(from("10.0.0.5")).get(ConnectionLimit.OVER_LIMIT));
        assertNotNull(limit.transportReady(from("10.0.0.6")).get(ConnectionLimit.OVER_LIMIT));
    }

    @Test
    void oneAddressPastItsOwnLimitIsToldToRaiseIt() {
        ConnectionLimit limit = new ConnectionLimit(2, 1000);
        limit.transportReady(from("10.0.1.1"));
        limit.transportReady(from("10.0.1.1"));
        ConnectionLimit.Excess excess = limit.transportReady(from("10.0.1.1")).get(ConnectionLimit.OVER_LIMIT);
        assertEquals("too many connections from 10.0.1.1 (limit 2)", excess.toAgent());
        assertTrue(excess.toOperator().contains("connections_per_address"), excess.toOperator());
        assertNull(limit.transportReady(from("10.0.1.2")).get(ConnectionLimit.OVER_LIMIT));
    }

    @Test
    void theDefaultHoldsTenThousandAgentsInTheUnitsDirectMemory() {
        int n = IngestLimits.connectionsFor(512L << 20); // -Xmx512m, no MaxDirectMemorySize: the unit
        assertTrue(n > 10_000, n + " connections");
    }

    private static Attributes from(String ip) {
        return Attributes.newBuilder()
                .set(Grpc.TRANSPORT_ATTR_REMOTE_ADDR, new InetSocketAddress(ip, 40000))
                .build();
    }
}
