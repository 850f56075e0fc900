package io.redwatch.collector.ingest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Backpressure for all agent streams together. gRPC delivers a stream's next message only after the
 * stream asks for it ({@code request(1)}); a stream asks through this gate. While the bytes of batches
 * received and not yet acknowledged stay under the budget, it asks at once; when they reach it, the
 * stream waits in line and asks only when enough is acknowledged. A waiting stream reads nothing:
 * its bytes stay in the agent's spool (past a small HTTP/2 window), so a collector that is behind
 * slows its agents down instead of filling its heap.
 *
 * <p>A stream let through after waiting reserves an average batch until its batch arrives, so one
 * acknowledgement does not release every waiting stream at once. Streams that asked while the gate
 * was open may each still deliver one batch after it closes: the budget can be passed by at most one
 * batch per such stream, and under sustained load every stream soon asks through the line.
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

    private final long budgetBytes;
    private final ArrayDeque<Waiter> line = new ArrayDeque<>();
    private final java.util.Map<Waiter, Long> reservations = new java.util.IdentityHashMap<>();
    private long inFlightBytes;
    private long reservedBytes;
    private long averageBatchBytes = 16 * 1024;

    public IngestGate(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /** The stream wants its next message: it is asked for now, or when the gate opens. */
    public void askNext(Waiter w) {
        synchronized (this) {
            if (!open() || !line.isEmpty()) {
                line.addLast(w);
                return;
            }
        }
        w.resume();
    }

    /** A batch of {@code bytes} arrived on the stream; it counts until {@link #done}. */
    public synchronized void arrived(Waiter w, long bytes) {
        Long reserved = reservations.remove(w);
        if (reserved != null) reservedBytes -= reserved;
        inFlightBytes += bytes;
        averageBatchBytes += (bytes - averageBatchBytes) / 16;
    }

    /** A batch of {@code bytes} was acknowledged, or failed: its bytes leave the budget. */
    public void done(long bytes) {
        List<Waiter> resumed;
        synchronized (this) {
            inFlightBytes -= bytes;
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
            Long reserved = reservations.remove(w);
            if (reserved == null) return;
            reservedBytes -= reserved;
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
            long r = Math.max(1024, averageBatchBytes);
            reservations.merge(w, r, Long::sum);
            reservedBytes += r;
            out.add(w);
        }
        return out;
    }

    public synchronized long inFlightBytes() {
        return inFlightBytes;
    }

    public synchronized int waiting() {
        return line.size();
    }
}
