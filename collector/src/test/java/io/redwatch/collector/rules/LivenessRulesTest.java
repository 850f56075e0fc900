package io.redwatch.collector.rules;

import static io.redwatch.collector.rules.Facts.*;
import static org.junit.jupiter.api.Assertions.*;

import io.redwatch.collector.rules.view.InstanceView;
import io.redwatch.proto.v1.PingResult.Outcome;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** ping_failed, instance_down, agent_silent. */
class LivenessRulesTest {
    private static final long T0 = ts("2026-08-18T17:00:00Z");

    @Test
    void pingFailedReportsTheExactReply() {
        InstanceView h = history()
                .ping(ping(T0 - 60_000, Outcome.PONG, "PONG"))
                .ping(ping(
                        T0,
                        Outcome.ERROR_REPLY,
                        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."))
                .build(T0);
        Finding f = finding(h, "ping_failed");
        assertEquals(Severity.CRITICAL, f.severity());
        assertTrue(
                f.summary().contains("BUSY Redis is busy running a script")
                        && f.summary().contains("1 of 2 checks"),
                f.summary());
        assertTrue(f.advice().contains("SCRIPT KILL"));
        // Intermittent (the seed's LOADING every few minutes), latest fine: still reported, as a warning.
        InstanceView intermittent = history()
                .ping(ping(T0 - 60_000, Outcome.ERROR_REPLY, "LOADING Redis is loading the dataset in memory"))
                .ping(ping(T0, Outcome.PONG, "PONG"))
                .build(T0);
        assertEquals(Severity.WARNING, finding(intermittent, "ping_failed").severity());
        assertEquals(
                Set.of(), ruleIds(history().ping(ping(T0, Outcome.PONG, "PONG")).build(T0)));
    }

    @Test
    void refusedConnectionIsInstanceDownNotPingFailed() {
        InstanceView h = history()
                .ping(ping(T0 - 20_000, Outcome.CONNECTION_REFUSED, "connection refused"))
                .ping(ping(T0, Outcome.CONNECTION_REFUSED, "connection refused"))
                .build(T0);
        assertEquals(Set.of("instance_down"), ruleIds(h));
        assertTrue(finding(h, "instance_down").summary().contains("since 16:59"));
        InstanceView back = history()
                .ping(ping(T0 - 20_000, Outcome.CONNECTION_REFUSED, "connection refused"))
                .ping(ping(T0, Outcome.PONG, "PONG"))
                .build(T0);
        assertEquals(Set.of(), ruleIds(back));
    }

    @Test
    void agentSilentAfterThreeIntervals() {
        assertTrue(AgentSilence.check("a1", "db1", T0 - 31_000, 10_000, T0, Thresholds.defaults())
                .isPresent());
        assertTrue(AgentSilence.check("a1", "db1", T0 - 25_000, 10_000, T0, Thresholds.defaults())
                .isEmpty());
    }
}
