-- redwatch schema, version 1.
--
-- Large time-series tables are RANGE-partitioned by day (UTC) on their sample time, each with a
-- DEFAULT partition so a sample with an odd timestamp never fails an insert. Partitions are
-- created ahead by redwatch_ensure_partitions() and dropped by redwatch_apply_retention().
-- No foreign keys between large tables, and every large table carries the column it would be
-- distributed by under Citus: `instance` ("host:port") or, for host facts, `host`.
-- Operators read the redwatch_* views (V2); the tables behind them may change.

-- Small tables ---------------------------------------------------------------------------------

CREATE TABLE agents (
    agent_id    text PRIMARY KEY,
    host        text,
    version     text,
    last_seq    bigint      NOT NULL DEFAULT 0,
    last_seen   timestamptz,
    interval_ms integer,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE instances (
    instance      text PRIMARY KEY,
    host          text NOT NULL,
    port          integer,
    role          text,
    redis_version text,
    agent_id      text,
    first_seen    timestamptz NOT NULL DEFAULT now(),
    last_seen     timestamptz
);

-- Data an agent had to drop (spool full). Rare, so not partitioned.
CREATE TABLE gaps (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agent_id      text NOT NULL,
    host          text,
    from_ts       timestamptz,
    to_ts         timestamptz,
    records_lost  bigint NOT NULL DEFAULT 0,
    batches_lost  bigint NOT NULL DEFAULT 0,
    reason        text,
    batch_seq     bigint,
    recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX gaps_agent_from ON gaps (agent_id, from_ts);

-- Instances by number -------------------------------------------------------------------------
-- The large INFO tables name an instance by a 4-byte id instead of its "host:port" text (~16
-- bytes in every row and index entry). An id is never reused or changed, so a collector may cache it.
CREATE TABLE instance_ids (
    id       integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instance text NOT NULL UNIQUE
);

-- INFO history ---------------------------------------------------------------------------------
-- The whole INFO reply as jsonb costs ~4.3 KB per sample, so INFO is stored in parts (measured in
-- docs/benchmarks.md):
--   info_samples  one narrow row per sample: the four fields that move every sample and that
--                 operators read at full resolution, typed;
--   info records  the whole reply (less those typed fields), at most ~60 s apart: written when a
--                 minute has passed since the last one, and at once when the field set, the source
--                 or one of the fields redwatch_info must give exactly (statuses, flags,
--                 configuration) changes. A record is written into info_minutes; when a sample of a
--                 later 30-minute bucket arrives, the bucket's records are moved into one
--                 info_buckets row, packed column-wise (field -> value, or field -> array of values)
--                 so PostgreSQL compresses the whole half hour as one value (a single minute is
--                 under the ~2 KB at which PostgreSQL starts to compress);
--   info_errors   why a sample could not be read, and lines of the reply that were not key:value.
-- redwatch_info pairs each sample with the latest record at or before it; no sample stores a
-- reference, so a collector that lost its memory just writes a record and nothing can be wrong.

CREATE TABLE info_samples (
    ts                 timestamptz NOT NULL,
    used_memory        bigint,
    used_memory_rss    bigint,
    master_repl_offset bigint,
    instance_id        integer     NOT NULL,
    connected_clients  integer,
    PRIMARY KEY (instance_id, ts)
) PARTITION BY RANGE (ts);

CREATE TABLE info_errors (
    instance_id    integer     NOT NULL,
    ts             timestamptz NOT NULL,
    -- false when the sample has no INFO fields at all (then redwatch_info.info is null)
    has_fields     boolean     NOT NULL,
    error          text,
    unparsed_lines text[],
    PRIMARY KEY (instance_id, ts)
) PARTITION BY RANGE (ts);

-- The records of buckets still open. Small (at most a bucket per instance, and past buckets of
-- instances that went quiet until redwatch_info_close_buckets), so not partitioned.
CREATE TABLE info_minutes (
    instance_id integer     NOT NULL,
    ts          timestamptz NOT NULL,
    source      text,
    fields      jsonb COMPRESSION pglz NOT NULL,
    PRIMARY KEY (instance_id, ts)
);

-- One row per instance and closed 30-minute bucket. times holds the records' times (ascending),
-- apart from records so that finding a sample's record never decompresses anything; records is
--   {"s": source or [source per record],
--    "f": {field: value if every record has this value, else [value or null (absent) per record]}}
-- pglz compresses it better than lz4 here (measured).
CREATE TABLE info_buckets (
    instance_id integer       NOT NULL,
    ts          timestamptz   NOT NULL,
    times       timestamptz[] NOT NULL,
    records     jsonb COMPRESSION pglz NOT NULL,
    PRIMARY KEY (instance_id, ts)
) PARTITION BY RANGE (ts);

-- The bucket a record belongs to. Buckets divide a UTC day, so a bucket is in its records' partition.
CREATE FUNCTION redwatch_info_bucket(at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN date_bin('30 minutes', at, timestamptz '2000-01-01 00:00:00+00');

-- Packs records (same length arrays, ascending time) into the info_buckets.records form.
CREATE FUNCTION redwatch_info_pack(sources text[], fields jsonb[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH r AS (SELECT s, f, o FROM unnest(sources, fields) WITH ORDINALITY u(s, f, o)),
         k AS (SELECT DISTINCT key FROM r, jsonb_object_keys(r.f) key),
         c AS (SELECT k.key, jsonb_agg(r.f -> k.key ORDER BY r.o) AS vals FROM k CROSS JOIN r GROUP BY k.key)
    SELECT jsonb_build_object(
        's', (SELECT CASE WHEN count(DISTINCT coalesce(s, '')) = 1 AND bool_and(s IS NOT NULL) THEN to_jsonb(min(s))
                          ELSE jsonb_agg(s ORDER BY o) END FROM r),
        'f', (SELECT coalesce(jsonb_object_agg(key,
                     CASE WHEN NOT vals @> '[null]' AND (SELECT count(DISTINCT v) FROM jsonb_array_elements(vals) v) = 1
                          THEN vals -> 0 ELSE vals END), '{}'::jsonb) FROM c))
$$;

-- The fields of record i (0-based) of a packed bucket.
CREATE FUNCTION redwatch_info_fields(records jsonb, i integer) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    -- "|| {}" decompresses the bucket once; every "->" on the stored value would do it again
    f jsonb := (records -> 'f') || '{}'::jsonb;
BEGIN
    RETURN (SELECT coalesce(jsonb_object_agg(e.key, v), '{}'::jsonb)
              FROM jsonb_each(f) e,
                   LATERAL (SELECT CASE WHEN jsonb_typeof(e.value) = 'array' THEN e.value -> i ELSE e.value END AS v) x
             WHERE jsonb_typeof(v) = 'string');
END $$;

-- The source of record i (0-based) of a packed bucket.
CREATE FUNCTION redwatch_info_source(records jsonb, i integer) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN jsonb_typeof(records -> 's') = 'array' THEN records -> 's' ->> i ELSE records ->> 's' END;

-- Every record of a packed bucket: its time, source and fields.
CREATE FUNCTION redwatch_info_unpack(times timestamptz[], records jsonb)
RETURNS TABLE (ts timestamptz, source text, fields jsonb)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT times[k], redwatch_info_source(records, k - 1), redwatch_info_fields(records, k - 1)
      FROM generate_subscripts(times, 1) k
$$;

-- Moves the open records of an instance (every instance when null) that belong to buckets starting
-- before `before` into info_buckets. A record arriving late for a bucket already closed is merged
-- into it (the record stored first wins a tie on time). Returns how many records moved.
CREATE FUNCTION redwatch_info_close_buckets(instance integer, before timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    moved integer;
BEGIN
    WITH gone AS (
        DELETE FROM info_minutes m
         WHERE (m.instance_id = redwatch_info_close_buckets.instance OR redwatch_info_close_buckets.instance IS NULL)
           AND m.ts < redwatch_info_bucket(before)
        RETURNING m.instance_id, m.ts, m.source, m.fields),
    packed AS (
        INSERT INTO info_buckets AS b (instance_id, ts, times, records)
        SELECT g.instance_id, redwatch_info_bucket(g.ts), array_agg(g.ts ORDER BY g.ts),
               redwatch_info_pack(array_agg(g.source ORDER BY g.ts), array_agg(g.fields ORDER BY g.ts))
          FROM gone g
         GROUP BY g.instance_id, redwatch_info_bucket(g.ts)
        ON CONFLICT (instance_id, ts) DO UPDATE
           SET (times, records) = (
               SELECT array_agg(u.ts ORDER BY u.ts),
                      redwatch_info_pack(array_agg(u.source ORDER BY u.ts), array_agg(u.fields ORDER BY u.ts))
                 FROM (SELECT DISTINCT ON (a.ts) a.ts, a.source, a.fields
                         FROM (SELECT x.*, 0 AS pref FROM redwatch_info_unpack(b.times, b.records) x
                               UNION ALL
                               SELECT y.*, 1 FROM redwatch_info_unpack(EXCLUDED.times, EXCLUDED.records) y) a
                        ORDER BY a.ts, a.pref) u)
        RETURNING 1)
    SELECT count(*) INTO moved FROM gone;
    RETURN moved;
END $$;

-- Other time series ----------------------------------------------------------------------------

CREATE TABLE pings (
    instance   text        NOT NULL,
    ts         timestamptz NOT NULL,
    outcome    text        NOT NULL,
    reply      text,
    latency_us bigint
) PARTITION BY RANGE (ts);
CREATE INDEX pings_instance_ts ON pings (instance, ts);

CREATE TABLE config_snapshots (
    instance    text        NOT NULL,
    ts          timestamptz NOT NULL,
    config      jsonb       NOT NULL,
    unavailable jsonb       NOT NULL
) PARTITION BY RANGE (ts);
CREATE INDEX config_snapshots_instance_ts ON config_snapshots (instance, ts);

CREATE TABLE log_events (
    instance         text        NOT NULL,
    ts               timestamptz NOT NULL,
    ts_from_log      boolean     NOT NULL,
    pid              integer,
    role             text,
    level            text,
    message          text,
    raw              text        NOT NULL,
    parsed           boolean     NOT NULL,
    truncated        boolean     NOT NULL,
    file             text        NOT NULL,
    file_device      bigint      NOT NULL,
    file_inode       bigint      NOT NULL,
    file_fingerprint text        NOT NULL,
    file_head_length integer     NOT NULL,
    file_offset      bigint      NOT NULL,
    end_offset       bigint,
    wrapper          text,
    -- Filled by the rule engine later; null until then.
    kind             text
) PARTITION BY RANGE (ts);

-- A line is stored once however often it is resent: same instance, same file (inode and
-- fingerprint of its first bytes), same offset, whatever its ts (a line without a timestamp of
-- its own carries the time the agent read it, which differs when it is read again). A unique key
-- on the partitioned log_events would have to include ts, so the key lives in this unpartitioned
-- table, written in the same statement as the line and pruned with the retention of log_events.
-- Measured (100,000 keys, 10 instances): 193 B per line, 43 B more than the unique index on
-- (instance, file_inode, file_fingerprint, file_offset, ts) it replaces.
CREATE TABLE log_line_keys (
    file_inode       bigint      NOT NULL,
    file_offset      bigint      NOT NULL,
    stored_at        timestamptz NOT NULL DEFAULT now(),
    instance_id      integer     NOT NULL,
    file_fingerprint text        NOT NULL,
    PRIMARY KEY (instance_id, file_inode, file_offset, file_fingerprint)
);
CREATE INDEX log_events_instance_ts ON log_events (instance, ts);

CREATE TABLE host_facts (
    host              text        NOT NULL,
    ts                timestamptz NOT NULL,
    mem_total         bigint,
    mem_available     bigint,
    mem_free          bigint,
    cached            bigint,
    swap_total        bigint,
    swap_free         bigint,
    commit_limit      bigint,
    committed_as      bigint,
    overcommit_memory integer,
    overcommit_ratio  integer,
    thp_enabled       text,
    thp_defrag        text,
    somaxconn         integer,
    iowait_pct        double precision,
    load1             double precision,
    load5             double precision,
    load15            double precision,
    cpu_count         integer,
    errors            text[]
) PARTITION BY RANGE (ts);
CREATE INDEX host_facts_host_ts ON host_facts (host, ts);

CREATE TABLE process_facts (
    instance       text        NOT NULL,
    ts             timestamptz NOT NULL,
    pid            integer,
    pid_source     text,
    fd_total       bigint,
    fd_sockets     bigint,
    fd_pipes       bigint,
    fd_files       bigint,
    fd_anon_inodes bigint,
    fd_other       bigint,
    nofile_soft    bigint,
    nofile_hard    bigint,
    vm_rss         bigint,
    vm_size        bigint,
    error          text
) PARTITION BY RANGE (ts);
CREATE INDEX process_facts_instance_ts ON process_facts (instance, ts);

-- The DEFAULT partitions: anything outside the daily partitions lands here.
CREATE TABLE info_samples_default     PARTITION OF info_samples     DEFAULT;
CREATE TABLE info_errors_default      PARTITION OF info_errors      DEFAULT;
CREATE TABLE info_buckets_default     PARTITION OF info_buckets     DEFAULT;
CREATE TABLE pings_default            PARTITION OF pings            DEFAULT;
CREATE TABLE config_snapshots_default PARTITION OF config_snapshots DEFAULT;
CREATE TABLE log_events_default       PARTITION OF log_events       DEFAULT;
CREATE TABLE host_facts_default       PARTITION OF host_facts       DEFAULT;
CREATE TABLE process_facts_default    PARTITION OF process_facts    DEFAULT;

-- Partition maintenance ------------------------------------------------------------------------

-- The partitioned tables and their time column; later migrations add rows here.
CREATE TABLE partitioned_tables (
    table_name text PRIMARY KEY,
    ts_column  text NOT NULL
);
INSERT INTO partitioned_tables VALUES
    ('info_samples', 'ts'), ('info_errors', 'ts'), ('info_buckets', 'ts'), ('pings', 'ts'),
    ('config_snapshots', 'ts'), ('log_events', 'ts'), ('host_facts', 'ts'), ('process_facts', 'ts');

-- Creates the daily partition of every partitioned table for each UTC day from `first_day` to
-- `first_day + days_ahead`. Rows that already landed in the DEFAULT partition for such a day are
-- moved into the new partition (attaching would fail otherwise). Returns how many were created.
CREATE FUNCTION redwatch_ensure_partitions(days_ahead integer,
                                           first_day date DEFAULT (now() AT TIME ZONE 'UTC')::date)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    t record;
    d date;
    part text;
    lo timestamptz;
    hi timestamptz;
    created integer := 0;
BEGIN
    FOR t IN SELECT table_name, ts_column FROM partitioned_tables ORDER BY table_name LOOP
        FOR i IN 0 .. days_ahead LOOP
            d := first_day + i;
            part := format('%s_p%s', t.table_name, to_char(d, 'YYYYMMDD'));
            CONTINUE WHEN to_regclass(part) IS NOT NULL;
            lo := d::timestamp AT TIME ZONE 'UTC';
            hi := (d + 1)::timestamp AT TIME ZONE 'UTC';
            EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS '
                           'INCLUDING COMPRESSION INCLUDING STORAGE)',
                           part, t.table_name);
            EXECUTE format('WITH moved AS (DELETE FROM %I WHERE %I >= $1 AND %I < $2 RETURNING *) '
                           'INSERT INTO %I SELECT * FROM moved',
                           t.table_name || '_default', t.ts_column, t.ts_column, part)
                USING lo, hi;
            EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                           t.table_name, part, lo, hi);
            created := created + 1;
        END LOOP;
    END LOOP;
    RETURN created;
END $$;

-- Drops every daily partition that ends on or before the start of the UTC day `keep_days` ago,
-- deletes older rows from the DEFAULT partitions and the unpartitioned info_minutes and
-- log_line_keys, and closes the INFO buckets of instances that stopped sending an hour or more
-- ago. Returns how many partitions were dropped.
CREATE FUNCTION redwatch_apply_retention(keep_days integer DEFAULT 30,
                                         today date DEFAULT (now() AT TIME ZONE 'UTC')::date)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    t record;
    p record;
    cutoff date := today - keep_days;
    dropped integer := 0;
BEGIN
    FOR t IN SELECT table_name, ts_column FROM partitioned_tables ORDER BY table_name LOOP
        FOR p IN
            SELECT c.relname
              FROM pg_inherits i
              JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = t.table_name::regclass
               AND c.relname ~ ('^' || t.table_name || '_p[0-9]{8}$')
               AND to_date(right(c.relname, 8), 'YYYYMMDD') < cutoff
        LOOP
            EXECUTE format('DROP TABLE %I', p.relname);
            dropped := dropped + 1;
        END LOOP;
        EXECUTE format('DELETE FROM %I WHERE %I < $1', t.table_name || '_default', t.ts_column)
            USING cutoff::timestamp AT TIME ZONE 'UTC';
    END LOOP;
    DELETE FROM info_minutes WHERE ts < cutoff::timestamp AT TIME ZONE 'UTC';
    DELETE FROM log_line_keys WHERE stored_at < cutoff::timestamp AT TIME ZONE 'UTC';
    PERFORM redwatch_info_close_buckets(NULL, now() - interval '1 hour');
    RETURN dropped;
END $$;

SELECT redwatch_ensure_partitions(7, (now() AT TIME ZONE 'UTC')::date - 1);
