package io.redwatch.collector.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IngestGateTest {
    /** A stream as the gate sees it: counts the messages it asked gRPC for. */
    private static final class Stream implements IngestGate.Waiter {
        final String name;
        final List<String> log;
        boolean ended;
        int asked;

        Stream(String name, List<String> log) {
            this.name = name;
            this.log = log;
        }

        @Override
        public boolean resume() {
            if (ended) return false;
            asked++;
            log.add(name);
            return true;
        }
    }

    @Test
    void streamsAreReadFreelyUnderTheBudget() {
        IngestGate gate = new IngestGate(100_000);
        List<String> log = new ArrayList<>();
        Stream a = new Stream("a", log);
        gate.askNext(a);
        gate.arrived(a, 10_000);
        gate.askNext(a); // a second batch while the first is in flight: still under the budget
        assertEquals(2, a.asked);
        assertEquals(0, gate.waiting());
    }

    @Test
    void pastTheBudgetStreamsWaitAndAreLetThroughInOrderAsBytesAreAcknowledged() {
        IngestGate gate = new IngestGate(50_000);
        List<String> log = new ArrayList<>();
        Stream big = new Stream("big", log);
        gate.askNext(big);
        gate.arrived(big, 60_000); // one batch past the budget: the gate closes
        List<Stream> waiting = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Stream s = new Stream("s" + i, log);
            waiting.add(s);
            gate.askNext(s);
        }
        assertEquals(List.of("big"), log, "nobody else is read while the bytes in flight are over the budget");
        assertEquals(10, gate.waiting());

        gate.done(60_000);
        // each one let through reserves an average batch (~19 KB here), so not all ten go at once
        List<String> first = List.copyOf(log.subList(1, log.size()));
        assertEquals(List.of("s0", "s1", "s2"), first);
        assertEquals(7, gate.waiting());

        // s0's batch arrives and is acknowledged: its reservation and bytes are free again
        gate.arrived(waiting.get(0), 16_000);
        gate.done(16_000);
        assertEquals("s3", log.get(log.size() - 1));
        assertEquals(6, gate.waiting());
    }

    @Test
    void aStreamThatEndedWhileWaitingGivesBackWhatWasReservedForIt() {
        IngestGate gate = new IngestGate(20_000);
        List<String> log = new ArrayList<>();
        Stream big = new Stream("big", log);
        gate.askNext(big);
        gate.arrived(big, 30_000);
        Stream gone = new Stream("gone", log);
        Stream next = new Stream("next", log);
        gate.askNext(gone);
        gate.askNext(next);
        gone.ended = true; // its agent disconnected; the cancel has not reached the gate yet
        gate.done(30_000);
        assertEquals(List.of("big", "next"), log, "the ended stream's reservation went to the next in line");
        gate.gone(next);
        gate.gone(gone);
        Stream later = new Stream("later", log);
        gate.askNext(later);
        assertEquals("later", log.get(log.size() - 1), "nothing stays reserved for streams that are gone");
    }

    @Test
    void reservationsOfStreamsWithNothingToSendExpireSoTheLineDrains() {
        long[] now = {0};
        IngestGate gate = new IngestGate(50_000, () -> now[0]);
        List<String> log = new ArrayList<>();
        Stream big = new Stream("big", log);
        gate.askNext(big);
        gate.arrived(big, 60_000);
        for (int i = 0; i < 10; i++) gate.askNext(new Stream("s" + i, log));
        gate.done(60_000); // three let through, each reserving a batch its agent has not sampled yet
        assertEquals(7, gate.waiting());

        now[0] += (IngestGate.RESERVATION_MS + 1) * 1_000_000;
        gate.askNext(new Stream("late", log)); // nothing arrived from the three: their reservations lapse
        assertEquals(List.of("big", "s0", "s1", "s2", "s3", "s4", "s5"), log.subList(0, 7));
        assertEquals(5, gate.waiting(), "the line moves on without any acknowledgement");

        now[0] += (IngestGate.RESERVATION_MS + 1) * 1_000_000;
        gate.askNext(new Stream("later", log));
        now[0] += (IngestGate.RESERVATION_MS + 1) * 1_000_000;
        gate.askNext(new Stream("last", log));
        now[0] += (IngestGate.RESERVATION_MS + 1) * 1_000_000;
        gate.done(0);
        assertEquals(0, gate.waiting(), "an idle fleet leaves nobody held back");
    }
}
