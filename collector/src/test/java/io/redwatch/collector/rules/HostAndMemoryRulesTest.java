package io.redwatch.collector.rules;

import static io.redwatch.collector.rules.Facts.*;
import static org.junit.jupiter.api.Assertions.*;

import io.redwatch.collector.rules.view.InstanceView;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** maxmemory_near, maxmemory_oom, thp_enabled, somaxconn_low. */
class HostAndMemoryRulesTest {
    private static final long T0 = ts("2026-08-16T01:07:39Z");

    @Test
    void maxmemoryNearAndAtTheLimit() {
        assertEquals(
                Set.of("maxmemory_near"),
                ruleIds(history()
                        .info(liveInfo("used_memory:950\nmaxmemory:1000\nmaxmemory_policy:noeviction\n", T0))
                        .build(T0)));
        assertEquals(
                Set.of("maxmemory_oom"),
                ruleIds(history()
                        .info(liveInfo("used_memory:1001\nmaxmemory:1000\nmaxmemory_policy:noeviction\n", T0))
                        .build(T0)));
        assertEquals(
                Set.of(),
                ruleIds(history()
                        .info(liveInfo("used_memory:500\nmaxmemory:1000\nmaxmemory_policy:noeviction\n", T0))
                        .build(T0)));
        assertEquals(
                Set.of(),
                ruleIds(history()
                        .info(liveInfo("used_memory:5000\nmaxmemory:0\n", T0))
                        .build(T0)),
                "no limit set");
        // A cache with an eviction policy at its limit: information, and no OOM.
        InstanceView cache = history()
                .info(liveInfo("used_memory:1001\nmaxmemory:1000\nmaxmemory_policy:allkeys-lru\n", T0))
                .build(T0);
        assertEquals(Set.of("maxmemory_near"), ruleIds(cache));
        assertEquals(Severity.INFO, finding(cache, "maxmemory_near").severity());
    }

    @Test
    void oomRepliesCountedInErrorstatsAreTheOomSeenEvenJustBelowTheLimit() {
        // Redis does not log refused writes; after a refusal used_memory can sit just under maxmemory.
        String below = "used_memory:990\nmaxmemory:1000\nmaxmemory_policy:noeviction\n";
        InstanceView refusing = history()
                .info(liveInfo(below + "errorstat_OOM:count=3\n", T0))
                .info(liveInfo(below + "errorstat_OOM:count=40\n", T0 + 10_000))
                .build(T0 + 10_000);
        // One verdict for one piece of evidence: refusing writes, not "near" the limit as well.
        assertEquals(Set.of("maxmemory_oom"), ruleIds(refusing));
        assertTrue(
                finding(refusing, "maxmemory_oom").evidence().stream().anyMatch(e -> e.contains("37 writes refused")),
                finding(refusing, "maxmemory_oom").evidence().toString());

        // Old refusals that stopped growing (memory was freed since) are not a current OOM.
        String freed = "used_memory:100\nmaxmemory:1000\nmaxmemory_policy:noeviction\nerrorstat_OOM:count=40\n";
        assertEquals(
                Set.of(),
                ruleIds(history()
                        .info(liveInfo(freed, T0))
                        .info(liveInfo(freed, T0 + 10_000))
                        .build(T0 + 10_000)));

        // Live: refusals that stopped a while ago (memory freed, FLUSHALL) no longer page.
        InstanceView.Builder live = history()
                .currentOnly(true)
                .info(liveInfo(below + "errorstat_OOM:count=3\n", T0))
                .info(liveInfo(below + "errorstat_OOM:count=40\n", T0 + 10_000));
        for (int k = 1; k <= 8; k++) live.info(liveInfo(freed, T0 + 10_000 + k * 10_000L));
        assertEquals(Set.of(), ruleIds(live.build(T0 + 90_000)));
    }

    @Test
    void thpAlwaysOnlyWhenAlways() {
        assertEquals(
                Set.of("thp_enabled"),
                ruleIds(history().host(host(T0).setThpEnabled("always").build()).build(T0)));
        assertEquals(
                Set.of(),
                ruleIds(history()
                        .host(host(T0).setThpEnabled("madvise").build())
                        .build(T0)));
        assertEquals(
                Set.of("thp_enabled"),
                ruleIds(history(
                                log(
                                        "1:M 16 Aug 2026 01:00:00.000 # WARNING you have Transparent Huge Pages (THP) "
                                                + "support enabled in your kernel. This will create latency and memory usage issues with Redis.\n"))
                        .buildAtNewestFact()));
    }

    @Test
    void somaxconnBelowTcpBacklog() {
        assertEquals(
                Set.of("somaxconn_low"),
                ruleIds(history().host(host(T0).setSomaxconn(128).build()).build(T0)));
        assertEquals(
                Set.of(),
                ruleIds(history().host(host(T0).setSomaxconn(4096).build()).build(T0)));
        assertEquals(
                Set.of(),
                ruleIds(history()
                        .host(host(T0).setSomaxconn(128).build())
                        .config(config(T0, "tcp-backlog", "100"))
                        .build(T0)));
    }
}
