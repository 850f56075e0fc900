package io.redwatch.agent;

import io.redwatch.agent.tailing.LogLineParser;
import io.redwatch.agent.tailing.LogTailer;
import io.redwatch.agent.tailing.RawLine;
import io.redwatch.proto.v1.FileIdentity;
import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.LogEvent;
import io.redwatch.proto.v1.Record;
import java.util.List;
import java.util.function.Consumer;

/**
 * Follows one instance's redis.log and turns new lines into log events. Positions are committed
 * only for lines the collector acknowledged (the shipper's thread calls {@link #acknowledged}).
 */
final class LogWatch implements AutoCloseable {
    private static final int LINES_PER_POLL = 1000;
    private static final int MAX_POLLS_PER_TICK = 20;

    private final InstanceRef ref;
    private final LogTailer tailer;
    private final LogLineParser parser;

    LogWatch(InstanceRef ref, LogTailer tailer, LogLineParser parser) {
        this.ref = ref;
        this.tailer = tailer;
        this.parser = parser;
    }

    String instance() {
        return ref.getInstance();
    }

    void poll(Consumer<Record> out) {
        // Bounded per tick so a log flood cannot starve the other instances' logs.
        for (int i = 0; i < MAX_POLLS_PER_TICK; i++) {
            List<RawLine> lines = tailer.poll(LINES_PER_POLL);
            long now = System.currentTimeMillis();
            for (RawLine line : lines) {
                LogEvent.Builder e = parser.parse(line.text(), now);
                e.setRef(ref)
                        .setFile(line.file())
                        .setFileId(line.fileId())
                        .setOffset(line.offset())
                        .setEndOffset(line.endOffset())
                        .setTruncated(line.truncated());
                out.accept(Record.newBuilder().setLog(e).build());
            }
            if (lines.size() < LINES_PER_POLL) return;
        }
    }

    /** The collector committed everything up to this line's end. */
    void acknowledged(String file, FileIdentity fileId, long offset, long endOffset) {
        tailer.commit(new RawLine(fileId, file, offset, endOffset, "", false));
    }

    @Override
    public void close() {
        try {
            tailer.close();
        } catch (java.io.IOException e) {
            // closing a read-only file cannot lose data; nothing to do
        }
    }
}
