package io.redwatch.collector.facts;

import java.util.Locale;

/**
 * What a Redis log line says, as far as the rules care. {@link #id()} is the stable lower_snake name
 * (it may be stored and shown); the enum order is irrelevant, the classifier decides precedence.
 */
public enum LogKind {
    /** {@code Can't save in background: fork: ...} and the AOF variant {@code Can't rewrite append only file in background: fork: ...}. */
    FORK_FAILED,
    /** A background RDB save that started but failed (open, write, rename, signal). */
    BGSAVE_ERROR,
    /** A BGSAVE Redis itself stopped (SIGUSR1): its replica went away. Not a failure. */
    BGSAVE_ABORTED,
    /** {@code 10000 changes in 60 seconds. Saving...} */
    SAVE_TRIGGERED,
    /** {@code Background saving started by pid N}, {@code Background RDB transfer started by pid N}. */
    BGSAVE_STARTED,
    /** {@code Background saving terminated with success}, {@code Background RDB transfer terminated with success}. */
    BGSAVE_OK,
    /** {@code DB saved on disk} (the child of a BGSAVE, or SAVE). */
    DB_SAVED,
    /** {@code RDB: N MB of memory used by copy-on-write}, {@code Fork CoW for RDB: ...}. */
    COPY_ON_WRITE,
    /** {@code Client id=... scheduled to be closed ASAP for overcoming of output buffer limits.} */
    OUTPUT_BUFFER_LIMIT_KILL,
    /** {@code Unable to partial resync with slave|replica ... for lack of backlog}, {@code Partial resynchronization not accepted}. */
    PARTIAL_RESYNC_REFUSED,
    /** {@code Full resync from master}, {@code Full resync requested by ...}, {@code Starting BGSAVE for SYNC with target: ...}. */
    FULL_RESYNC,
    /** {@code Slave|Replica X asks for synchronization} (2.6: {@code Slave ask for synchronization}). */
    SYNC_REQUESTED,
    /**
     * Master side, a full sync that stopped before the replica had its data: the diskless transfer
     * child failed or was killed ({@code Background transfer error}, {@code Background transfer
     * terminated by signal N}, {@code Diskless rdb transfer, last replica dropped, killing fork child}),
     * or {@code SYNC failed. BGSAVE child returned an error}.
     */
    SYNC_ABORTED,
    /** Replica side: {@code Failed trying to load the MASTER synchronization DB from disk|socket}. */
    SYNC_LOAD_FAILED,
    /** {@code MASTER <-> SLAVE|REPLICA sync: receiving ...}, {@code Flushing old data}, {@code Loading DB in memory}. */
    SYNC_LOADING,
    /** {@code MASTER <-> SLAVE|REPLICA sync: Finished with success}. */
    SYNC_FINISHED,
    /** {@code Successful partial resynchronization with master}, {@code Master accepted a Partial Resynchronization}. */
    PARTIAL_RESYNC_ACCEPTED,
    /** Master side: {@code Synchronization with slave|replica X succeeded}. */
    REPLICA_SYNC_SENT,
    /**
     * {@code Connection with master lost}, {@code I/O error trying to sync with MASTER}, master timeouts,
     * {@code Error condition on socket for SYNC}, {@code Unable to connect to MASTER}.
     */
    MASTER_LINK_LOST,
    /** {@code Connection with slave|replica X lost}. */
    REPLICA_LINK_LOST,
    /** {@code Background AOF rewrite terminated with error} and other failed rewrites. */
    AOF_REWRITE_ERROR,
    /** {@code Starting automatic rewriting of AOF on N% growth}, {@code Background append only file rewriting started}. */
    AOF_REWRITE_STARTED,
    /** {@code Background AOF rewrite finished successfully}, {@code Background AOF rewrite terminated with success}. */
    AOF_REWRITE_OK,
    /** {@code Error opening /setting AOF rewrite IPC pipes: ...} */
    AOF_PIPE_ERROR,
    /** {@code Error writing to the AOF file}, {@code Short write while writing to the AOF file}. */
    AOF_WRITE_ERROR,
    /** {@code Asynchronous AOF fsync is taking too long (disk is busy?)}. */
    AOF_FSYNC_SLOW,
    /** {@code Error registering fd event for the new client}: a descriptor above the event loop's size. */
    FD_REGISTRATION_ERROR,
    /** {@code max number of clients reached} (a pasted client error) or maxclients reduced for a low ulimit. */
    MAXCLIENTS_REACHED,
    /** {@code WARNING overcommit_memory is set to 0!}, {@code WARNING Memory overcommit must be enabled!} */
    STARTUP_WARNING_OVERCOMMIT,
    /** {@code WARNING you have Transparent Huge Pages (THP) support enabled in your kernel.} */
    STARTUP_WARNING_THP,
    /** {@code WARNING: The TCP backlog setting of 511 cannot be enforced because ... somaxconn ...} */
    STARTUP_WARNING_SOMAXCONN,
    /** {@code Server started, Redis version X}, {@code Redis version=X, bits=...}. */
    SERVER_STARTED,
    /** {@code OOM command not allowed when used memory > 'maxmemory'} (a pasted client error). */
    OOM,
    /** {@code MISCONF Redis is configured to save RDB snapshots, but ...} (a pasted client error). */
    MISCONF,
    /** {@code LOADING Redis is loading the dataset in memory} (a pasted client error). */
    LOADING_REPLY,
    /** {@code Redis crashed by signal}, {@code === REDIS BUG REPORT START}. */
    CRASH,
    /** Anything else. */
    OTHER;

    /**
     * Lines a healthy server writes all day (a save every minute, a rewrite, a start-up): rules read
     * the newest few of them for context (how long the last saves took), never a count, so a window
     * keeps few of them.
     */
    public boolean routine() {
        return switch (this) {
            case SAVE_TRIGGERED,
                    BGSAVE_STARTED,
                    BGSAVE_OK,
                    DB_SAVED,
                    COPY_ON_WRITE,
                    AOF_REWRITE_STARTED,
                    AOF_REWRITE_OK,
                    SERVER_STARTED -> true;
            default -> false;
        };
    }

    /**
     * A line that may change a verdict (neither routine nor unclassified): live diagnosis judges an
     * instance within a second of one arriving, instead of at its usual spacing.
     */
    public boolean telling() {
        return this != OTHER && !routine();
    }

    /** The stable lower_snake name, e.g. {@code fork_failed}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
