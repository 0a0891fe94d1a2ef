/**
 * The queue's claim scan as a function whose plan does not depend on table statistics.
 *
 * Planned inline, `ORDER BY priority DESC, run_at, id LIMIT n` over pending tasks is only fast
 * as an ordered scan of tasks_claim_idx that stops after n rows. When the statistics say few
 * tasks are pending (the table was analysed while quiet, then a backlog arrived: until
 * autovacuum analyses again) the planner prefers a bitmap scan plus a sort of the WHOLE
 * backlog, on every claim: 20 ms per claim at 20k pending, growing with the backlog, exactly
 * when throughput matters. Sorting and bitmap scans are turned off for this one query (the
 * function's SET clauses apply while it runs), which leaves the ordered index scan.
 *
 * Rows are locked here (SKIP LOCKED); the caller's UPDATE in the same statement claims them.
 */
export const sql = `
CREATE FUNCTION sutazai_pick_tasks(p_limit integer, p_types text[], p_agent_tasks boolean)
RETURNS SETOF uuid
LANGUAGE sql VOLATILE ROWS 16
SET enable_sort = off
SET enable_bitmapscan = off
AS $fn$
  SELECT id FROM tasks
  WHERE status = 'pending' AND run_at <= now()
    AND (p_types IS NULL OR type = ANY (p_types)
         OR (p_agent_tasks AND (agent_id IS NOT NULL OR type = 'agent.run')))
  ORDER BY priority DESC, run_at, id
  LIMIT p_limit
  FOR UPDATE SKIP LOCKED
$fn$;
`;
