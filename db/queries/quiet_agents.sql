-- Instances whose agent went quiet: no data for three of the agent's sampling intervals (the
-- interval it announced in its hello; 10 s if it never did). Longest silence first.
-- Parameters: none.
SELECT i.instance,
       i.host,
       i.agent_id,
       i.last_seen,
       now() - i.last_seen AS silent_for,
       coalesce(a.interval_ms, 10000) AS interval_ms,
       a.last_seen AS agent_last_seen
  FROM redwatch_instances i
  LEFT JOIN redwatch_agents a ON a.agent_id = i.agent_id
 WHERE i.last_seen < now() - 3 * coalesce(a.interval_ms, 10000) * interval '1 millisecond'
 ORDER BY i.last_seen;
