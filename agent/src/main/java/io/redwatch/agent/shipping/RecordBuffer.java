package io.redwatch.agent.shipping;

import io.redwatch.proto.v1.Gap;
import io.redwatch.proto.v1.Record;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The bounded hand-off between samplers and the shipper. Samplers never wait on the network: when
 * the buffer is full a record is dropped and counted, and the next drain reports the loss as a
 * {@link Gap} record, so the history shows a hole with its time span instead of silently thinning.
 */
public final class RecordBuffer {
    private final BlockingQueue<Record> queue;
    private long dropped;
    private long firstDropMs;
    private long lastDropMs;

    public RecordBuffer(int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    public void offer(Record record) {
        if (!queue.offer(record)) {
            synchronized (this) {
                long now = System.currentTimeMillis();
                if (dropped == 0) firstDropMs = now;
                lastDropMs = now;
                dropped++;
            }
        }
    }

    /** Waits up to {@code waitMs} for a first record, then takes whatever is there, up to {@code max}. */
    public List<Record> drain(int max, long waitMs) throws InterruptedException {
        List<Record> out = new ArrayList<>();
        Record first = queue.poll(waitMs, TimeUnit.MILLISECONDS);
        if (first != null) {
            out.add(first);
            queue.drainTo(out, max - 1);
        }
        synchronized (this) {
            if (dropped > 0) {
                out.add(Record.newBuilder()
                        .setGap(Gap.newBuilder()
                                .setFromMs(firstDropMs)
                                .setToMs(lastDropMs)
                                .setRecordsLost(dropped)
                                .setReason("agent buffer full: the shipper could not keep up with the samplers"))
                        .build());
                dropped = 0;
            }
        }
        return out;
    }

    public int size() {
        return queue.size();
    }
}
