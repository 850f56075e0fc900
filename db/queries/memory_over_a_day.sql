-- Memory of one instance over one UTC day, every sample: used, RSS and the maxmemory limit.
-- Parameters (psql variables; run with psql -v name=value -f this_file):
--   :'instance'  the instance, "host:port"
--   :'day'       the UTC day, e.g. 2024-05-03
SELECT ts,
       used_memory,
       used_memory_rss,
       maxmemory,
       round(used_memory_rss::numeric / nullif(used_memory, 0), 2) AS rss_to_used
  FROM redwatch_info
 WHERE instance = :'instance'
   AND ts >= :'day'::date::timestamp AT TIME ZONE 'UTC'
   AND ts <  (:'day'::date + 1)::timestamp AT TIME ZONE 'UTC'
 ORDER BY ts;
