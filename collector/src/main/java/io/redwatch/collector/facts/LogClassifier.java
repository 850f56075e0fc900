package io.redwatch.collector.facts;

import io.redwatch.proto.v1.LogEvent;

/**
 * Names what a Redis log line says, from its message text alone, so a line the agent could not parse
 * (wrapped, pasted from a post-mortem, cut) is classified like a parsed one. The phrases cover Redis
 * 2.6 to 7.x: "slave" and "replica", "MASTER &lt;-&gt; SLAVE sync" and "MASTER &lt;-&gt; REPLICA sync"
 * are matched alike because only the shared part of each message is looked for.
 *
 * <p>Plain substring tests in a fixed order, no regular expressions: this runs for every log line
 * the collector receives. The order matters where one message contains another's phrase (a client
 * description inside an output-buffer line, a pasted client error that quotes a log message).
 */
public final class LogClassifier {

    private record Phrases(LogKind kind, String[] any) {}

    private static final Phrases[] TABLE = {
        // The client description in this line may contain anything (a command name, "sync"): first.
        p(LogKind.OUTPUT_BUFFER_LIMIT_KILL, "for overcoming of output buffer limits"),
        // Client errors pasted next to log lines quote texts that name saving and loading: before those.
        p(LogKind.MISCONF, "MISCONF "),
        p(LogKind.OOM, "OOM command not allowed"),
        p(LogKind.LOADING_REPLY, "LOADING Redis is loading"),
        p(
                LogKind.FORK_FAILED,
                "Can't save in background: fork",
                "Can't rewrite append only file in background: fork",
                "Can't save in background:",
                "Can't rewrite append only file in background:"),
        p(LogKind.AOF_PIPE_ERROR, "AOF rewrite IPC pipes"),
        p(LogKind.FD_REGISTRATION_ERROR, "Error registering fd event for the new client"),
        // Redis kills its own child with SIGUSR1 (10 on Linux) when no replica needs the RDB any more,
        // and does not count it as a failure (lastbgsave_status stays ok): not a save error.
        p(
                LogKind.BGSAVE_ABORTED,
                "Background saving terminated by signal 10",
                "Background transfer terminated by signal 10"),
        // A diskless transfer writes nothing to disk: its child failing aborts a sync, it is no failed save
        // (Redis leaves rdb_last_bgsave_status alone for socket targets, so no MISCONF follows).
        p(
                LogKind.SYNC_ABORTED,
                "Background transfer error",
                "Background transfer terminated by signal",
                "last replica dropped, killing fork child",
                "SYNC failed. BGSAVE child returned an error"),
        p(
                LogKind.BGSAVE_ERROR,
                "Background saving error",
                "Failed opening the RDB file",
                "Failed opening .rdb for saving",
                "Failed opening the temp RDB file",
                "Write error saving DB on disk",
                "Background saving terminated by signal",
                "Error moving temp DB file",
                "Failed saving the DB"),
        p(
                LogKind.AOF_REWRITE_ERROR,
                "Background AOF rewrite terminated with error",
                "Background AOF rewrite terminated by signal",
                "Background AOF rewrite signal handler took too long",
                "Error trying to rename the temporary AOF",
                "Error opening the temp file for AOF",
                "Error trying to rename the existing AOF",
                "Error trying to open the temporary AOF"),
        p(
                LogKind.AOF_WRITE_ERROR,
                "Error writing to the AOF file",
                "Short write while writing to the AOF file",
                "Can't persist AOF for fsync error"),
        p(LogKind.AOF_FSYNC_SLOW, "Asynchronous AOF fsync is taking too long"),
        p(LogKind.MAXCLIENTS_REACHED, "max number of clients reached", "maxclients has been reduced to"),
        p(LogKind.STARTUP_WARNING_OVERCOMMIT, "overcommit_memory is set to 0", "Memory overcommit must be enabled"),
        p(LogKind.STARTUP_WARNING_THP, "Transparent Huge Pages (THP) support enabled"),
        p(LogKind.STARTUP_WARNING_SOMAXCONN, "somaxconn is set to the lower value"),
        p(LogKind.PARTIAL_RESYNC_REFUSED, "Unable to partial resync with", "Partial resynchronization not accepted"),
        p(
                LogKind.PARTIAL_RESYNC_ACCEPTED,
                "Successful partial resynchronization with master",
                "Master accepted a Partial Resynchronization"),
        p(LogKind.FULL_RESYNC, "Full resync from master", "Full resync requested by", "Starting BGSAVE for SYNC"),
        p(LogKind.SYNC_REQUESTED, "asks for synchronization", "ask for synchronization"),
        p(LogKind.SYNC_LOAD_FAILED, "Failed trying to load the MASTER synchronization DB"),
        p(LogKind.SYNC_FINISHED, "sync: Finished with success"),
        p(LogKind.SYNC_LOADING, "sync: Loading DB in memory", "sync: Flushing old data", "sync: receiving"),
        p(
                LogKind.MASTER_LINK_LOST,
                "Connection with master lost",
                "I/O error trying to sync with MASTER",
                "MASTER timeout: no data nor PING received",
                "Timeout receiving bulk data from MASTER",
                "Timeout connecting to the MASTER",
                "Error condition on socket for SYNC",
                "Unable to connect to MASTER"),
        p(LogKind.REPLICA_SYNC_SENT, "Synchronization with slave", "Synchronization with replica"),
        p(
                LogKind.AOF_REWRITE_STARTED,
                "Starting automatic rewriting of AOF",
                "Background append only file rewriting started"),
        p(
                LogKind.AOF_REWRITE_OK,
                "Background AOF rewrite finished successfully",
                "Background AOF rewrite terminated with success"),
        p(LogKind.BGSAVE_STARTED, "Background saving started by pid", "Background RDB transfer started by pid"),
        p(
                LogKind.BGSAVE_OK,
                "Background saving terminated with success",
                "Background RDB transfer terminated with success"),
        p(LogKind.DB_SAVED, "DB saved on disk"),
        p(LogKind.COPY_ON_WRITE, "of memory used by copy-on-write", "Fork CoW for RDB"),
        p(LogKind.SERVER_STARTED, "Server started, Redis version", "Redis version="),
        p(LogKind.CRASH, "crashed by signal", "REDIS BUG REPORT START"),
    };

    private LogClassifier() {}

    private static Phrases p(LogKind kind, String... any) {
        return new Phrases(kind, any);
    }

    /** The kind of one log event, judged by its message (the whole line when the agent could not parse it). */
    public static LogKind kind(LogEvent e) {
        String text = e.getMessage().isEmpty() ? e.getRaw() : e.getMessage();
        return kind(text);
    }

    /** The kind of a log message or a whole pasted line; {@link LogKind#OTHER} when no phrase matches. */
    public static LogKind kind(String text) {
        if (text == null || text.isEmpty()) return LogKind.OTHER;
        for (Phrases row : TABLE) {
            for (String phrase : row.any()) {
                if (text.contains(phrase)) return row.kind();
            }
        }
        if (connectionWithReplicaLost(text)) return LogKind.REPLICA_LINK_LOST;
        if (saveTriggered(text)) return LogKind.SAVE_TRIGGERED;
        return LogKind.OTHER;
    }

    /** "Connection with slave 10.0.0.2:6379 lost." / "Connection with replica ... lost." (master side). */
    private static boolean connectionWithReplicaLost(String text) {
        return (text.contains("Connection with slave") || text.contains("Connection with replica"))
                && text.contains(" lost");
    }

    /** "10000 changes in 60 seconds. Saving..." (and "1 changes in 3600 seconds. Saving..."). */
    private static boolean saveTriggered(String text) {
        int at = text.indexOf(" changes in ");
        return at > 0 && Character.isDigit(text.charAt(at - 1)) && text.indexOf(" seconds. Saving", at) > 0;
    }
}
