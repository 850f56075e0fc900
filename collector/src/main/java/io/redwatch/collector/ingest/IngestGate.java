package io.redwatch.collector.ingest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Backpressure for all agent streams together. gRPC delivers a stream's next message only after the
 * stream asks for it ({@code request(1)}); a stream asks through this gate. While the bytes of batches
 * received and not yet acknowledged stay under the budget, it asks at once; when they reach it, the
 * stream waits in line and asks only when enough is acknowledged. A waiting stream reads nothing:
 * its bytes stay in the agent's spool (past a small HTTP/2 window), so a collector that is behind
 * slows its agents down instead of filling its heap.
 *
 * <p>A stream let through after waiting reserves an average batch until its batch arrives, so one
 * acknowledgement does not release every waiting stream at once; for at most {@link #RESERVATION_MS}
 * though, because most agents have nothing to send until their next sample: kept until then, the
 * reservations of idle streams held the budget after a start-up storm and the line never emptied
 * again (3,100 of 5,000 streams "held back" for an hour, every new ask joining them). Streams that
 * asked while the gate was open may each still deliver one batch after it closes: the budget can be
 * passed by at most one batch per such stream, and under sustained load every stream soon asks
 * through the line.
 */
public final class IngestGate {
    /** A stream asking for its next message. */
    public interface Waiter {
        /**
         * Asks gRPC for the next message (request(1)); called outside the gate's lock. False when
         * the stream has ended meanwhile, so that what was reserved for it is given back.
         */
        boolean resume();
    }

    /** How long a stream let through from the line keeps its reservation while it sends nothing. */
    static final long RESERVATION_MS = 500;

    private record Reservation(Waiter waiter, long bytes, long atNanos) {}

    private final long budgetBytes;
    private final LongSupplier nanoTime;
    private final ArrayDeque<Waiter> line = new ArrayDeque<>();
    private final java.util.Map<Waiter, Reservation> reservations = new java.util.IdentityHashMap<>();
    /** The reservations in the order they were made (some already given back), to expire the oldest. */
    private final ArrayDeque<Reservation> byAge = new ArrayDeque<>();

    private long inFlightBytes;
    private long reservedBytes;
    private long averageBatchBytes = 16 * 1024;

    public IngestGate(long budgetBytes) {
        this(budgetBytes, System::nanoTime);
    }

    IngestGate(long budgetBytes, LongSupplier nanoTime) {
        this.budgetBytes = budgetBytes;
        this.nanoTime = nanoTime;
    }

    /** The stream wants its next message: it is asked for now, or when the gate opens. */
    public void askNext(Waiter w) {
        List<Waiter> resumed;
        synchronized (this) {
            expireReservations();
            if (open() && line.isEmpty()) {
                resumed = List.of(w);
            } else {
                line.addLast(w);
                resumed = letThrough();
            }
        }
        resume(resumed);
    }

    /** A batch of {@code bytes} arrived on the stream; it counts until {@link #done}. */
    public synchronized void arrived(Waiter w, long bytes) {
        Reservation reserved = reservations.remove(w);
        if (reserved != null) reservedBytes -= reserved.bytes();
        inFlightBytes += bytes;
        averageBatchBytes += (bytes - averageBatchBytes) / 16;
    }

    /** A batch of {@code bytes} was acknowledged, or failed: its bytes leave the budget. */
    public void done(long bytes) {
        List<Waiter> resumed;
        synchronized (this) {
            inFlightBytes -= bytes;
            expireReservations();
            resumed = letThrough();
        }
        resume(resumed);
    }

    private void resume(List<Waiter> waiters) {
        for (Waiter w : waiters) {
            if (!w.resume()) gone(w);
        }
    }

    /** The stream ended: it waits no more and holds no reservation. */
    public void gone(Waiter w) {
        List<Waiter> resumed;
        synchronized (this) {
            line.remove(w);
            Reservation reserved = reservations.remove(w);
            if (reserved == null) return;
            reservedBytes -= reserved.bytes();
            resumed = letThrough();
        }
        resume(resumed);
    }

    private boolean open() {
        return inFlightBytes + reservedBytes < budgetBytes;
    }

    private List<Waiter> letThrough() {
        List<Waiter> out = List.of();
        while (open() && !line.isEmpty()) {
            if (out.isEmpty()) out = new ArrayList<>();
            Waiter w = line.removeFirst();
            Reservation r = new Reservation(w, Math.max(1024, averageBatchBytes), nanoTime.getAsLong());
            Reservation before = reservations.put(w, r);
            if (before != null) reservedBytes -= before.bytes();
            reservedBytes += r.bytes();
            byAge.addLast(r);
            out.add(w);
        }
        return out;
    }

    private void expireReservations() {
        long now = nanoTime.getAsLong();
        while (!byAge.isEmpty() && now - byAge.peekFirst().atNanos() > RESERVATION_MS * 1_000_000) {
            Reservation r = byAge.removeFirst();
            if (reservations.remove(r.waiter(), r)) reservedBytes -= r.bytes();
        }
    }

    public synchronized long inFlightBytes() {
        return inFlightBytes;
    }

    public synchronized int waiting() {
        return line.size();
    }
}
