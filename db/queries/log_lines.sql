-- Log lines of one instance in a time window, optionally only one level and/or only lines whose
-- raw text matches a pattern (case-insensitive POSIX regular expression), in file order.
-- Parameters (psql variables; run with psql -v name=value -f this_file):
--   :'instance'  the instance, "host:port"
--   :'from'      start of the window (timestamptz, inclusive)
--   :'to'        end of the window (exclusive)
--   :'level'     debug, verbose, notice or warning; '' for every level
--   :'pattern'   e.g. 'fork|Cannot allocate'; '' for every line
SELECT ts, level, pid, role, message, raw, kind, file, file_offset
  FROM redwatch_log_events
 WHERE instance = :'instance'
   AND ts >= :'from'::timestamptz
   AND ts <  :'to'::timestamptz
   AND (:'level' = '' OR level = :'level')
   AND (:'pattern' = '' OR raw ~* :'pattern')
 ORDER BY ts, file_offset;
