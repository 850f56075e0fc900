package io.redwatch.collector.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RateLimitTest {
    private final RateLimit tenPerTenMinutes = new RateLimit(10, 600_000);

    @Test
    void aMessageMayGoOutWhileFewerThanTheLimitWentOutInTheWindow() {
        assertTrue(tenPerTenMinutes.allows(0));
        assertTrue(tenPerTenMinutes.allows(9));
        assertFalse(tenPerTenMinutes.allows(10));
        assertFalse(tenPerTenMinutes.allows(11));
    }

    @Test
    void theWindowEndsNow() {
        assertEquals(1_000_000 - 600_000, tenPerTenMinutes.windowStart(1_000_000));
    }
}
