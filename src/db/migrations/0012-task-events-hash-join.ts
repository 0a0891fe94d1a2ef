/**
 * Issue 10 (decision 0069): the status-event trigger of migration 0011 joins its transition
 * tables (`new_rows JOIN old_rows ON id`). PL/pgSQL plans that query once per session and keeps
 * the plan: a query without parameters always gets the generic plan, planned with the row counts
 * of the FIRST statement that fired the trigger in that connection. A worker's first statement
 * is usually a claim of one task (its buffer is unmeasured yet), so the kept plan was a nested
 * loop, and every later batch of n rows cost n² comparisons: 90 ms of trigger time for a
 * 500-row statement instead of 6 ms (bench/queue-trigger-plan.ts). PGlite is one session for
 * the whole process, so there the first statement decided for good.
 *
 * Hash joins only, whatever the first call saw: the function's SET clauses apply while it runs
 * (as sutazai_pick_tasks does for its scan, migration 0002). The body and the events are
 * unchanged.
 */
export const sql = `
ALTER FUNCTION sutazai_notify_tasks_updated() SET enable_nestloop = off;
ALTER FUNCTION sutazai_notify_tasks_updated() SET enable_mergejoin = off;
`;
