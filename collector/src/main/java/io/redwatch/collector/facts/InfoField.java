package io.redwatch.collector.facts;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The field catalog: every INFO field that a rule reads or that storage gives a typed column or an
 * exact value, with its type and who reads it. It is the one place that decides what the collector
 * keeps of an INFO reply after ingest: the typed storage columns, the live window's compact samples
 * and the window refill all follow it. A field nobody lists here is stored in the raw record (so SQL
 * still has it) and never held in memory.
 *
 * <p>{@link Keep#SERIES} fields are kept in every sample of a window because rules read their
 * change over time; {@link Keep#LATEST} fields only in the newest sample (a rule reads the current
 * value); {@link Keep#STORAGE} fields only matter to storage.
 */
public enum InfoField {
    // Memory.
    USED_MEMORY("used_memory", Type.NUMBER, Keep.SERIES, Column.BIGINT, "maxmemory_near maxmemory_oom fork_risk"),
    USED_MEMORY_RSS("used_memory_rss", Type.NUMBER, Keep.SERIES, Column.BIGINT, "fork_risk"),
    MAXMEMORY("maxmemory", Type.NUMBER, Keep.LATEST, Column.EXACT, "maxmemory_near maxmemory_oom"),
    MAXMEMORY_POLICY("maxmemory_policy", Type.TEXT, Keep.LATEST, Column.EXACT, "maxmemory_oom"),
    EVICTED_KEYS("evicted_keys", Type.NUMBER, Keep.SERIES, Column.NONE, "maxmemory_oom"),
    TOTAL_SYSTEM_MEMORY("total_system_memory", Type.NUMBER, Keep.LATEST, Column.EXACT, "fork_risk"),
    ERRORSTAT_OOM("errorstat_OOM", Type.ERRORSTAT, Keep.SERIES, Column.NONE, "maxmemory_oom"),
    // Clients.
    CONNECTED_CLIENTS("connected_clients", Type.NUMBER, Keep.LATEST, Column.INTEGER, "maxclients_exhausted"),
    MAXCLIENTS("maxclients", Type.NUMBER, Keep.LATEST, Column.NONE, "maxclients_exhausted"),
    REJECTED_CONNECTIONS("rejected_connections", Type.NUMBER, Keep.SERIES, Column.NONE, "maxclients_exhausted"),
    // Persistence.
    LOADING("loading", Type.NUMBER, Keep.LATEST, Column.EXACT, "replica_loading"),
    LOADING_LOADED_PERC("loading_loaded_perc", Type.TEXT, Keep.LATEST, Column.NONE, "replica_loading"),
    RDB_CHANGES_SINCE_LAST_SAVE(
            "rdb_changes_since_last_save", Type.NUMBER, Keep.LATEST, Column.NONE, "persistence_stale"),
    RDB_BGSAVE_IN_PROGRESS("rdb_bgsave_in_progress", Type.NUMBER, Keep.LATEST, Column.EXACT, "bgsave_slow"),
    RDB_LAST_SAVE_TIME("rdb_last_save_time", Type.NUMBER, Keep.LATEST, Column.NONE, "persistence_stale bgsave_failing"),
    RDB_LAST_BGSAVE_STATUS(
            "rdb_last_bgsave_status", Type.TEXT, Keep.LATEST, Column.EXACT, "bgsave_failing misconf_writes_refused"),
    RDB_LAST_BGSAVE_TIME_SEC(
            "rdb_last_bgsave_time_sec", Type.NUMBER, Keep.LATEST, Column.NONE, "bgsave_slow backlog_too_small"),
    RDB_CURRENT_BGSAVE_TIME_SEC("rdb_current_bgsave_time_sec", Type.NUMBER, Keep.LATEST, Column.NONE, "bgsave_slow"),
    AOF_ENABLED("aof_enabled", Type.NUMBER, Keep.LATEST, Column.EXACT, "overcommit_disabled aof_rewrite_failing"),
    AOF_REWRITE_IN_PROGRESS("aof_rewrite_in_progress", Type.NUMBER, Keep.LATEST, Column.EXACT, "aof_rewrite_failing"),
    AOF_LAST_BGREWRITE_STATUS("aof_last_bgrewrite_status", Type.TEXT, Keep.LATEST, Column.EXACT, "aof_rewrite_failing"),
    AOF_LAST_WRITE_STATUS("aof_last_write_status", Type.TEXT, Keep.LATEST, Column.NONE, "aof_rewrite_failing"),
    AOF_DELAYED_FSYNC("aof_delayed_fsync", Type.NUMBER, Keep.SERIES, Column.NONE, "aof_fsync_slow"),
    // Replication.
    ROLE(
            "role",
            Type.TEXT,
            Keep.SERIES,
            Column.EXACT,
            "backlog_too_small full_resync_loop replica_loading repl_link_down"),
    MASTER_REPL_OFFSET(
            "master_repl_offset", Type.NUMBER, Keep.SERIES, Column.BIGINT, "backlog_too_small full_resync_loop"),
    SYNC_FULL("sync_full", Type.NUMBER, Keep.SERIES, Column.NONE, "full_resync_loop"),
    SYNC_PARTIAL_OK("sync_partial_ok", Type.NUMBER, Keep.SERIES, Column.NONE, "full_resync_loop"),
    SYNC_PARTIAL_ERR("sync_partial_err", Type.NUMBER, Keep.SERIES, Column.NONE, "backlog_too_small full_resync_loop"),
    REPL_BACKLOG_SIZE("repl_backlog_size", Type.NUMBER, Keep.LATEST, Column.EXACT, "backlog_too_small"),
    CONNECTED_SLAVES("connected_slaves", Type.NUMBER, Keep.LATEST, Column.EXACT, "full_resync_loop"),
    MASTER_HOST("master_host", Type.TEXT, Keep.LATEST, Column.EXACT, "repl_link_down"),
    MASTER_PORT("master_port", Type.NUMBER, Keep.LATEST, Column.EXACT, "repl_link_down"),
    MASTER_LINK_STATUS(
            "master_link_status", Type.TEXT, Keep.SERIES, Column.EXACT, "repl_link_down diskless_sync_stuck"),
    MASTER_LINK_DOWN_SINCE_SECONDS(
            "master_link_down_since_seconds", Type.NUMBER, Keep.LATEST, Column.NONE, "repl_link_down"),
    MASTER_SYNC_IN_PROGRESS(
            "master_sync_in_progress", Type.NUMBER, Keep.SERIES, Column.EXACT, "diskless_sync_stuck repl_link_down"),
    MASTER_SYNC_LEFT_BYTES("master_sync_left_bytes", Type.NUMBER, Keep.SERIES, Column.NONE, "diskless_sync_stuck"),
    MASTER_SYNC_LAST_IO_SECONDS_AGO(
            "master_sync_last_io_seconds_ago", Type.NUMBER, Keep.LATEST, Column.NONE, "diskless_sync_stuck"),
    // Server.
    REDIS_VERSION(
            "redis_version",
            Type.TEXT,
            Keep.LATEST,
            Column.EXACT,
            "fd_leak_pipes misconf_writes_refused overcommit_disabled"),
    SERVER_TIME_USEC("server_time_usec", Type.NUMBER, Keep.LATEST, Column.NONE, "persistence_stale"),
    PROCESS_ID("process_id", Type.NUMBER, Keep.LATEST, Column.EXACT, "fd_leak_pipes"),
    // Storage only: fields that identify the server or its configuration, exact at every sample.
    REDIS_GIT_SHA1("redis_git_sha1", Type.TEXT, Keep.STORAGE, Column.EXACT, ""),
    REDIS_BUILD_ID("redis_build_id", Type.TEXT, Keep.STORAGE, Column.EXACT, ""),
    REDIS_MODE("redis_mode", Type.TEXT, Keep.STORAGE, Column.EXACT, ""),
    RUN_ID("run_id", Type.TEXT, Keep.STORAGE, Column.EXACT, ""),
    TCP_PORT("tcp_port", Type.NUMBER, Keep.STORAGE, Column.EXACT, ""),
    EXECUTABLE("executable", Type.TEXT, Keep.STORAGE, Column.EXACT, ""),
    CONFIG_FILE("config_file", Type.TEXT, Keep.STORAGE, Column.EXACT, ""),
    OS("os", Type.TEXT, Keep.STORAGE, Column.EXACT, ""),
    ARCH_BITS("arch_bits", Type.NUMBER, Keep.STORAGE, Column.EXACT, ""),
    MULTIPLEXING_API("multiplexing_api", Type.TEXT, Keep.STORAGE, Column.EXACT, ""),
    GCC_VERSION("gcc_version", Type.TEXT, Keep.STORAGE, Column.EXACT, ""),
    MEM_ALLOCATOR("mem_allocator", Type.TEXT, Keep.STORAGE, Column.EXACT, ""),
    MAXMEMORY_HUMAN("maxmemory_human", Type.TEXT, Keep.STORAGE, Column.EXACT, ""),
    CLUSTER_ENABLED("cluster_enabled", Type.NUMBER, Keep.STORAGE, Column.EXACT, ""),
    MASTER_REPLID("master_replid", Type.TEXT, Keep.STORAGE, Column.EXACT, ""),
    CONFIGURED_HZ("configured_hz", Type.NUMBER, Keep.STORAGE, Column.EXACT, ""),
    IO_THREADS_ACTIVE("io_threads_active", Type.NUMBER, Keep.STORAGE, Column.EXACT, "");

    /** How a value is held in a window. */
    public enum Type {
        /** A whole number when the text is one; any other text is kept as text. */
        NUMBER,
        TEXT,
        /** Errorstats' {@code count=N}: the count is kept. */
        ERRORSTAT
    }

    /** What a window keeps of the field. */
    public enum Keep {
        SERIES,
        LATEST,
        STORAGE
    }

    /** What storage gives the field: a typed column, an exact value in redwatch_info, or nothing special. */
    public enum Column {
        NONE,
        BIGINT,
        INTEGER,
        EXACT
    }

    /** A compact sample indexes its values by a bit per field: the window's fields must fit one long. */
    static final int MAX_WINDOW_FIELDS = 64;

    private static final Map<String, InfoField> BY_KEY = new HashMap<>();
    private static final InfoField[] BY_SLOT;

    static {
        int slots = 0;
        for (InfoField f : values()) {
            BY_KEY.put(f.key, f);
            if (f.keep != Keep.STORAGE) f.slot = slots++;
        }
        if (slots > MAX_WINDOW_FIELDS)
            throw new ExceptionInInitializerError("more than 64 window fields in the INFO catalog");
        BY_SLOT = new InfoField[slots];
        for (InfoField f : values()) {
            if (f.slot >= 0) BY_SLOT[f.slot] = f;
        }
    }

    private final String key;
    private final Type type;
    private final Keep keep;
    private final Column column;
    private final List<String> readers;
    private int slot = -1;

    InfoField(String key, Type type, Keep keep, Column column, String readers) {
        this.key = key;
        this.type = type;
        this.keep = keep;
        this.column = column;
        this.readers = readers.isEmpty() ? List.of() : List.of(readers.split(" "));
    }

    /** The field's name in the INFO reply, e.g. {@code used_memory}. */
    public String key() {
        return key;
    }

    public Type type() {
        return type;
    }

    public Keep keep() {
        return keep;
    }

    public Column column() {
        return column;
    }

    /** The rule ids that read the field (documentation, and checked by a test against the rules). */
    public List<String> readers() {
        return readers;
    }

    /** Its bit in a compact sample; -1 for storage-only fields. */
    int slot() {
        return slot;
    }

    static InfoField atSlot(int slot) {
        return BY_SLOT[slot];
    }

    static int windowFields() {
        return BY_SLOT.length;
    }

    public static Optional<InfoField> byKey(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }

    /** The field of a key, for code that names a field in text; a key outside the catalog is a bug. */
    public static InfoField of(String key) {
        InfoField f = BY_KEY.get(key);
        if (f == null) {
            throw new IllegalArgumentException(
                    "INFO field '" + key + "' is not in the field catalog (InfoField): add it there");
        }
        return f;
    }
}
