/**
 * Issue 10 (decision 0077): the lease index covers rows that hold a lease
 * (`lease_expires_at IS NOT NULL`) instead of rows whose status is running. The two sets are the
 * same (a claim sets the lease with status running; every transition out of running clears it),
 * so the index holds the same entries and a claim still adds exactly one.
 *
 * Why: every statement a worker sends about its own tasks (outcomes, heartbeats, releases) says
 * `status = 'running'`, which matched the old predicate, so the planner could read the whole
 * lease index (every running task and the dead versions of those finished since the last vacuum)
 * and filter it by id. Statistics taken while the queue was quiet say almost nothing is running,
 * which made that plan look cheapest: measured 750 rows read and filtered to find 250, per
 * statement, growing with the backlog. Now those statements can reach their rows only through the
 * primary key. The reaper (`lease_expires_at < now()`) and the readers of running tasks (which
 * say `lease_expires_at IS NOT NULL`, src/tasks/list.ts) still use it.
 *
 * The readers rely on "running implies a lease", so a constraint now holds it. A running row
 * without a lease could only come from hand-written SQL; it is given an expired lease first, so
 * the reaper takes it back as it would any task whose worker was lost.
 */
export const sql = `
UPDATE tasks SET lease_expires_at = now() WHERE status = 'running' AND lease_expires_at IS NULL;
ALTER TABLE tasks ADD CONSTRAINT tasks_running_has_lease CHECK (status <> 'running' OR lease_expires_at IS NOT NULL);
DROP INDEX tasks_lease_idx;
CREATE INDEX tasks_lease_idx ON tasks (lease_expires_at) WHERE lease_expires_at IS NOT NULL;
`;
