package io.redwatch.agent.spool;

import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** One segment file: only its size and a few facts about its unsent part are kept in memory. */
final class Segment {
    final long id;
    final Path path;
    long size;
    /** Valid batches at or after the cursor. */
    long unsent;
    /** Whether any of those holds log lines. */
    boolean hasLogs;
    /** Open while the segment is written or read; null otherwise. */
    FileChannel channel;

    Segment(long id, Path path) {
        this.id = id;
        this.path = path;
    }
}
