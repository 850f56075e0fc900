package io.redwatch.collector.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.redwatch.collector.rules.Severity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SilenceFilterTest {
    private static final long T0 = 1_700_000_000_000L;

    @Test
    void aSilenceMutesWhatMatchesEveryFieldItNamesAndTheRestIsSent() {
        Silence forkOnDb1 = new Silence(3, "fork_enomem", null, "db1", T0, T0 + 3_600_000, "maintenance");
        PendingNotification fork1 = pending(10, "fork_enomem", "db1:6379", "db1");
        PendingNotification fork2 = pending(11, "fork_enomem", "db2:6379", "db2");
        PendingNotification oom1 = pending(12, "maxmemory_reached", "db1:6379", "db1");

        SilenceFilter.Split split = new SilenceFilter(List.of(forkOnDb1)).split(List.of(fork1, fork2, oom1));

        assertEquals(List.of(fork2, oom1), split.send());
        assertEquals(Map.of(3L, List.of(10L)), split.silenced());
    }

    @Test
    void theFirstMatchingSilenceTakesTheNotification() {
        Silence host = new Silence(1, null, null, "db1", T0, T0 + 1, "");
        Silence instance = new Silence(2, null, "db1:6379", null, T0, T0 + 1, "");
        SilenceFilter.Split split = new SilenceFilter(List.of(instance, host))
                .split(List.of(
                        pending(10, "fork_enomem", "db1:6379", "db1"), pending(11, "fork_enomem", "db1:6380", "db1")));

        assertEquals(List.of(), split.send());
        assertEquals(Map.of(2L, List.of(10L), 1L, List.of(11L)), split.silenced());
    }

    @Test
    void withoutSilencesEverythingIsSentInOrder() {
        List<PendingNotification> all = List.of(pending(10, "a", "db1:1", "db1"), pending(11, "b", "db2:1", "db2"));
        SilenceFilter.Split split = new SilenceFilter(List.of()).split(all);
        assertEquals(all, split.send());
        assertEquals(Map.of(), split.silenced());
    }

    static PendingNotification pending(long id, String rule, String instance, String host) {
        return new PendingNotification(
                id,
                new NoticeItem(
                        id * 100,
                        NotificationKind.FIRING,
                        rule,
                        Severity.CRITICAL,
                        instance,
                        host,
                        rule + " on " + instance,
                        List.of(),
                        "",
                        T0,
                        0));
    }
}
