package io.redwatch.collector.storage;

import java.util.List;
import java.util.Set;

/**
 * Which INFO fields get a typed column in info_samples (stored every sample), and which fields must
 * be exact at every sample in redwatch_info, so that a change of one writes an INFO record at once.
 * Kept as data so adding a column is one line here plus a migration.
 */
final class InfoColumns {
    enum Kind { BIGINT, INTEGER }

    record Column(String field, Kind kind) {
    }

    /*
     * A column costs 4-8 bytes every sample, while a field in the records costs ~1-3 bytes a sample
     * after compression, and nothing when it does not move (docs/benchmarks.md). So only the
     * fields that move nearly every sample and that redwatch_info gives at full resolution are
     * columns; fields that must be exact but change rarely are in EXACT instead.
     */
    /** The typed columns of info_samples. */
    static final List<Column> TYPED = List.of(
            new Column("used_memory", Kind.BIGINT),
            new Column("used_memory_rss", Kind.BIGINT),
            new Column("master_repl_offset", Kind.BIGINT),
            new Column("connected_clients", Kind.INTEGER));

    /**
     * Fields redwatch_info must give exactly at every sample although they are not columns: the
     * statuses and flags rules and operators read, and the fields that identify the server or its
     * configuration. They rarely change; a change writes an INFO record at that sample.
     */
    static final Set<String> EXACT = Set.of(
            "rdb_last_bgsave_status", "master_link_status", "loading", "aof_last_bgrewrite_status",
            "rdb_bgsave_in_progress", "aof_rewrite_in_progress", "master_sync_in_progress",
            "role", "redis_version", "redis_git_sha1", "redis_build_id", "redis_mode", "run_id",
            "process_id", "tcp_port", "executable", "config_file", "os", "arch_bits",
            "multiplexing_api", "gcc_version", "mem_allocator", "maxmemory", "maxmemory_human",
            "maxmemory_policy", "total_system_memory", "aof_enabled", "cluster_enabled",
            "master_host", "master_port", "master_replid", "configured_hz", "io_threads_active",
            "connected_slaves", "repl_backlog_size");

    private InfoColumns() {
    }

    /**
     * The value as the column's Java type, or null when the text would not read back identically
     * from the column (then the field is stored in the record instead, so nothing is altered).
     */
    static Object typed(Kind kind, String text) {
        try {
            return switch (kind) {
                case BIGINT -> {
                    long v = Long.parseLong(text);
                    yield Long.toString(v).equals(text) ? v : null;
                }
                case INTEGER -> {
                    int v = Integer.parseInt(text);
                    yield Integer.toString(v).equals(text) ? v : null;
                }
            };
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
