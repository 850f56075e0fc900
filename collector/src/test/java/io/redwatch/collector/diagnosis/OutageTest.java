package io.redwatch.collector.diagnosis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Silence while no collector listened is not the agent's; silence before it still is. */
class OutageTest {
    private static final Outage OUTAGE = new Outage(10_000, 70_000); // a minute without a collector

    @Test
    void anAgentHeardUntilTheCrashIsSilentOnlyFromTheRestart() {
        assertEquals(70_000, OUTAGE.discounted(10_000));
        assertEquals(70_000, OUTAGE.discounted(40_000), "heard by another collector during the outage");
    }

    @Test
    void anAgentAlreadySilentBeforeTheCrashKeepsItsSilence() {
        long lastSeen = -590_000; // ten minutes before the crash
        long now = 100_000;
        long silenceBefore = 10_000 - lastSeen;
        long silenceAfterRestart = now - 70_000;
        assertEquals(silenceBefore + silenceAfterRestart, now - OUTAGE.discounted(lastSeen));
    }

    @Test
    void wordsAfterTheRestartAndNoOutageAreTakenAsTheyAre() {
        assertEquals(80_000, OUTAGE.discounted(80_000));
        assertEquals(5_000, Outage.NONE.discounted(5_000));
    }
}
