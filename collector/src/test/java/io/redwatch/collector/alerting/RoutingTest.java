package io.redwatch.collector.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.redwatch.collector.rules.Severity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingTest {
    private final Routing routing = new Routing(
            Map.of(
                    Severity.CRITICAL,
                    List.of("email", "sms"),
                    Severity.WARNING,
                    List.of("email"),
                    Severity.INFO,
                    List.of()),
            Map.of("email", List.of("ops@example.com", "dba@example.com"), "sms", List.of("+8613800000000")));

    @Test
    void aPageGoesToEveryRecipientOfEveryChannelItsSeverityRoutesTo() {
        assertEquals(
                List.of(
                        new NewNotification(1, NotificationKind.FIRING, "email", "ops@example.com"),
                        new NewNotification(1, NotificationKind.FIRING, "email", "dba@example.com"),
                        new NewNotification(1, NotificationKind.FIRING, "sms", "+8613800000000"),
                        new NewNotification(2, NotificationKind.RESOLVED, "email", "ops@example.com"),
                        new NewNotification(2, NotificationKind.RESOLVED, "email", "dba@example.com")),
                routing.address(List.of(
                        new Page(1, NotificationKind.FIRING, Severity.CRITICAL),
                        new Page(2, NotificationKind.RESOLVED, Severity.WARNING))));
    }

    @Test
    void aSeverityRoutedNowhereOrAChannelWithoutRecipientsPagesNobody() {
        Routing smsNotConfigured =
                new Routing(Map.of(Severity.CRITICAL, List.of("sms")), Map.of("email", List.of("ops@example.com")));
        assertEquals(
                List.of(), smsNotConfigured.address(List.of(new Page(1, NotificationKind.FIRING, Severity.CRITICAL))));
        assertEquals(List.of(), routing.address(List.of(new Page(1, NotificationKind.FIRING, Severity.INFO))));
    }
}
