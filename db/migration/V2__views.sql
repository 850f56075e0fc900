-- The operators' interface: these views' names and columns are public (columns may be added,
-- never renamed or removed). Level names and other enums are stored as lower-case text.

CREATE VIEW redwatch_agents AS
SELECT agent_id, host, version, last_seq, last_seen, interval_ms, created_at
  FROM agents;

CREATE VIEW redwatch_instances AS
SELECT instance, host, port, role, redis_version, last_seen, agent_id, first_seen
  FROM instances;

-- `info` is every INFO field of the sample (field name -> text value): the latest INFO record at or
-- before the sample (info_ts, at most ~60 s earlier), overlaid with the sample's typed fields.
-- Exact at every sample: used_memory, used_memory_rss, master_repl_offset, connected_clients
-- (typed), and maxmemory, loading, the rdb/aof/replication statuses and *_in_progress flags,
-- role (a change of these writes a record at that sample). blocked_clients,
-- rdb_changes_since_last_save, total_commands_processed and instantaneous_ops_per_sec are as of
-- info_ts, like every other field of `info`.
CREATE VIEW redwatch_info AS
SELECT i.instance,
       s.ts,
       s.used_memory,
       s.used_memory_rss,
       (r.fields ->> 'maxmemory')::bigint AS maxmemory,
       s.connected_clients,
       s.master_repl_offset,
       r.fields ->> 'rdb_last_bgsave_status' AS rdb_last_bgsave_status,
       r.fields ->> 'master_link_status' AS master_link_status,
       (r.fields ->> 'loading')::smallint AS loading,
       CASE WHEN e.has_fields IS FALSE OR r.fields IS NULL THEN NULL ELSE
           r.fields
           || jsonb_strip_nulls(jsonb_build_object(
                  'used_memory', s.used_memory::text,
                  'used_memory_rss', s.used_memory_rss::text,
                  'master_repl_offset', s.master_repl_offset::text,
                  'connected_clients', s.connected_clients::text))
       END AS info,
       (r.fields ->> 'blocked_clients')::integer AS blocked_clients,
       (r.fields ->> 'rdb_changes_since_last_save')::bigint AS rdb_changes_since_last_save,
       (r.fields ->> 'rdb_bgsave_in_progress')::smallint AS rdb_bgsave_in_progress,
       (r.fields ->> 'aof_rewrite_in_progress')::smallint AS aof_rewrite_in_progress,
       r.fields ->> 'aof_last_bgrewrite_status' AS aof_last_bgrewrite_status,
       (r.fields ->> 'master_sync_in_progress')::smallint AS master_sync_in_progress,
       (r.fields ->> 'total_commands_processed')::bigint AS total_commands_processed,
       (r.fields ->> 'instantaneous_ops_per_sec')::integer AS instantaneous_ops_per_sec,
       r.fields ->> 'role' AS role,
       e.error,
       e.unparsed_lines,
       r.source,
       r.ts AS info_ts
  FROM info_samples s
  JOIN instance_ids i ON i.id = s.instance_id
  LEFT JOIN info_errors e ON e.instance_id = s.instance_id AND e.ts = s.ts
  -- The latest record at or before the sample: open (info_minutes) or packed (info_buckets). Its
  -- fields are unpacked only when a query reads a column that needs them.
  LEFT JOIN LATERAL (
      SELECT x.ts,
             CASE WHEN x.records IS NULL THEN x.source ELSE redwatch_info_source(x.records, x.i) END AS source,
             -- "|| {}" decompresses an open record once, not at every "->>" below
             CASE WHEN x.records IS NULL THEN x.fields || '{}'::jsonb
                  ELSE redwatch_info_fields(x.records, x.i) END AS fields
        FROM ((SELECT m.ts, m.source, m.fields, NULL::jsonb AS records, NULL::integer AS i
                 FROM info_minutes m
                WHERE m.instance_id = s.instance_id AND m.ts <= s.ts
                ORDER BY m.ts DESC LIMIT 1)
              UNION ALL
              (SELECT b.times[b.k], NULL, NULL, b.records, b.k - 1
                 FROM (SELECT b.times, b.records,
                              (SELECT max(k) FROM generate_subscripts(b.times, 1) k WHERE b.times[k] <= s.ts) AS k
                         FROM info_buckets b
                        WHERE b.instance_id = s.instance_id
                          AND b.ts <= s.ts AND b.ts > s.ts - interval '1 day' AND b.times[1] <= s.ts
                        ORDER BY b.ts DESC LIMIT 1) b)) x
       ORDER BY x.ts DESC LIMIT 1
  ) r ON e.has_fields IS NOT FALSE;

CREATE VIEW redwatch_pings AS
SELECT instance, ts, reply, latency_us / 1000.0 AS latency_ms, outcome, latency_us
  FROM pings;

CREATE VIEW redwatch_config AS
SELECT instance, ts, config, unavailable
  FROM config_snapshots;

CREATE VIEW redwatch_log_events AS
SELECT instance, ts, pid, role, level, message, kind, raw,
       file, file_offset, truncated, parsed,
       ts_from_log, end_offset, file_device, file_inode, file_fingerprint, file_head_length, wrapper
  FROM log_events;

CREATE VIEW redwatch_host_facts AS
SELECT host, ts, mem_total, mem_available, swap_free, commit_limit, committed_as,
       overcommit_memory, thp_enabled AS thp, somaxconn, iowait_pct,
       mem_free, cached, swap_total, overcommit_ratio, thp_enabled, thp_defrag,
       load1, load5, load15, cpu_count, errors
  FROM host_facts;

CREATE VIEW redwatch_process_facts AS
SELECT instance, ts, pid, fd_total, fd_sockets, fd_pipes, fd_files, fd_other,
       nofile_soft AS fd_limit, vm_rss AS rss,
       fd_anon_inodes AS anon_inodes, vm_size, nofile_hard, nofile_soft, pid_source, error
  FROM process_facts;

CREATE VIEW redwatch_gaps AS
SELECT agent_id, host, from_ts, to_ts, records_lost, batches_lost, reason, batch_seq, recorded_at
  FROM gaps;
