package io.redwatch.collector.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SummariserTest {
    private static final long T0 = 1_700_000_000_000L;

    @Test
    void nothingHeldBackIsNoSummary() {
        assertSame(SuppressedSummary.NONE, Summariser.summarise(List.of()));
    }

    @Test
    void aSummaryCountsEverythingSinceTheEarliestAndNamesTheMostFrequentRulesFirst() {
        SuppressedSummary s = Summariser.summarise(List.of(
                held(1, T0 + 5_000, "slowlog_growth", "db1:6379"),
                held(2, T0 + 1_000, "fork_enomem", "db1:6379"),
                held(3, T0 + 9_000, "fork_enomem", "db2:6379"),
                held(4, T0 + 9_500, "fork_enomem", "db3:6379"),
                held(5, T0 + 9_900, "maxmemory_reached", "db4:6379")));

        assertEquals(5, s.count());
        assertEquals(T0 + 1_000, s.sinceMs());
        // A rule held back once is named with its instance; ties keep the order they were written in.
        assertEquals(
                List.of("fork_enomem ×3", "slowlog_growth on db1:6379", "maxmemory_reached on db4:6379"), s.examples());
    }

    @Test
    void aSummaryNamesAtMostFiveRules() {
        List<HeldBackNotification> many = new ArrayList<>();
        for (int i = 0; i < 8; i++) many.add(held(i, T0, "rule_" + i, "db" + i + ":6379"));
        SuppressedSummary s = Summariser.summarise(many);
        assertEquals(8, s.count());
        assertEquals(
                List.of(
                        "rule_0 on db0:6379",
                        "rule_1 on db1:6379",
                        "rule_2 on db2:6379",
                        "rule_3 on db3:6379",
                        "rule_4 on db4:6379"),
                s.examples());
    }

    private static HeldBackNotification held(long id, long at, String rule, String instance) {
        return new HeldBackNotification(id, at, rule, instance);
    }
}
