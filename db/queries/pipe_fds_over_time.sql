-- Open pipes (and all file descriptors) of one Redis process over time, against its nofile limit:
-- a pipe count that only grows is the fd leak of docs/incidents.md section 3.
-- Parameters (psql variables; run with psql -v name=value -f this_file):
--   :'instance'  the instance, "host:port"
--   :'from'      start of the window (timestamptz, inclusive)
--   :'to'        end of the window (exclusive)
SELECT ts,
       pid,
       fd_pipes,
       fd_sockets,
       fd_total,
       fd_limit,
       round(100.0 * fd_total / nullif(fd_limit, 0), 1) AS pct_of_limit
  FROM redwatch_process_facts
 WHERE instance = :'instance'
   AND ts >= :'from'::timestamptz
   AND ts <  :'to'::timestamptz
 ORDER BY ts;
