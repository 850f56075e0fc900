-- When did BGSAVE start failing? Every sample at which rdb_last_bgsave_status turned to err
-- (from ok, or the first sample of the window), oldest first: the first row is the answer, later
-- rows are failures after a recovery. last_ok_at is the sample just before (null if none).
-- Parameters (psql variables; run with psql -v name=value -f this_file):
--   :'instance'  the instance, "host:port"
--   :'from'      start of the window (timestamptz, inclusive), e.g. '2024-05-03 00:00Z'
--   :'to'        end of the window (exclusive)
SELECT ts AS failed_at,
       previous_ts AS last_ok_at,
       rdb_changes_since_last_save
  FROM (SELECT ts,
               rdb_last_bgsave_status,
               rdb_changes_since_last_save,
               lag(rdb_last_bgsave_status) OVER (ORDER BY ts) AS previous_status,
               lag(ts) OVER (ORDER BY ts) AS previous_ts
          FROM redwatch_info
         WHERE instance = :'instance'
           AND ts >= :'from'::timestamptz
           AND ts <  :'to'::timestamptz) samples
 WHERE rdb_last_bgsave_status = 'err'
   AND previous_status IS DISTINCT FROM 'err'
 ORDER BY ts;
