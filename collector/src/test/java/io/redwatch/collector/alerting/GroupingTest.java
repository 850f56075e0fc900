package io.redwatch.collector.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.collector.rules.Severity;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class GroupingTest {
    private static final long S = 1000;
    private static final long T0 = 1_700_000_000_000L;
    private final Grouping thirtySeconds = new Grouping(30 * S, 120 * S);

    @Test
    void theFirstMessageAboutAHostIsNotHeld() {
        assertEquals(T0, thirtySeconds.heldUntil(OptionalLong.empty(), T0));
    }

    @Test
    void whatFollowsAMessageWaitsUntilGroupIntervalAfterIt() {
        assertEquals(T0 + 30 * S, thirtySeconds.heldUntil(OptionalLong.of(T0), T0 + 7 * S));
        assertEquals(T0 + 30 * S, thirtySeconds.heldUntil(OptionalLong.of(T0), T0 + 30 * S), "due exactly then");
        assertEquals(T0 + 40 * S, thirtySeconds.heldUntil(OptionalLong.of(T0), T0 + 40 * S), "late is not later");
    }

    @Test
    void withoutAGroupIntervalNothingIsHeldAndNobodyNeedsToLook() {
        Grouping none = new Grouping(0, 120 * S);
        assertFalse(none.holds());
        assertTrue(thirtySeconds.holds());
        assertEquals(T0 + 1, none.heldUntil(OptionalLong.of(T0), T0 + 1));
    }

    @Test
    void onlyRecentMessagesAndSendsStillUnderLeaseCanHoldAGroup() {
        assertEquals(T0 - 30 * S, thirtySeconds.lookBackFrom(T0));
        assertEquals(T0 - 120 * S, thirtySeconds.liveSendingFrom(T0));
    }

    @Test
    void aNoticeListsFiringBeforeResolvedTheMostUrgentFirstThenByInstanceAndRule() {
        PendingNotification resolved = item(1, NotificationKind.RESOLVED, "a_rule", Severity.CRITICAL, "db1:1");
        PendingNotification warning = item(2, NotificationKind.FIRING, "a_rule", Severity.WARNING, "db1:1");
        PendingNotification criticalB = item(3, NotificationKind.REPEAT, "b_rule", Severity.CRITICAL, "db1:1");
        PendingNotification criticalA = item(4, NotificationKind.FIRING, "a_rule", Severity.CRITICAL, "db1:2");
        PendingNotification criticalA1 = item(5, NotificationKind.FIRING, "c_rule", Severity.CRITICAL, "db1:1");

        Notice n = thirtySeconds.notice(
                "db1", List.of(resolved, warning, criticalB, criticalA, criticalA1), SuppressedSummary.NONE);

        assertEquals(
                List.of(3L, 5L, 4L, 2L, 1L),
                n.items().stream().map(NoticeItem::alertId).toList());
        assertEquals("db1", n.host());
        assertEquals(Severity.CRITICAL, n.worstFiring());
    }

    private static PendingNotification item(
            long alertId, NotificationKind kind, String rule, Severity s, String instance) {
        return new PendingNotification(
                alertId + 100,
                new NoticeItem(
                        alertId,
                        kind,
                        rule,
                        s,
                        instance,
                        "db1",
                        rule,
                        List.of(),
                        "",
                        T0,
                        kind == NotificationKind.RESOLVED ? T0 + 1 : 0));
    }
}
