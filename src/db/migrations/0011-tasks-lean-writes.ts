/**
 * Issue 10 (decision 0075): less PostgreSQL work per task. A task is two non-HOT updates (claim,
 * outcome; HOT is impossible because `status` is in the claim and lease indexes' predicates),
 * and a non-HOT update adds an entry to every index whose predicate the new row version
 * satisfies. Before this migration a claim added six index entries and a completion six, and a
 * row trigger ran a PL/pgSQL call per changed row. After it:
 *
 * - claim (pending -> running): the primary key and tasks_lease_idx only. No history index
 *   covers running rows (there are at most the workers' slots and buffers of them; readers find
 *   them through tasks_lease_idx).
 * - completion (running -> completed): the primary key, tasks_status_created_idx and
 *   tasks_completed_idx; tasks_owner_status_created_idx and tasks_agent_id_idx only for tasks
 *   that have an owner or an agent.
 *
 * Index changes:
 * - tasks_status_idx (status) and tasks_created_idx (created_at, id) become one index,
 *   tasks_status_created_idx (status, created_at DESC, id DESC) over rows not running: it
 *   serves the counts by status (index-only) and the list newest first, filtered by a status or
 *   merged over all statuses (src/tasks/list.ts).
 * - tasks_owner_created_idx becomes tasks_owner_status_created_idx, the same per owner, over
 *   owned rows not running.
 * - tasks_agent_id_idx covers only rows with an agent (every query and the foreign key's
 *   ON DELETE SET NULL look up one agent id).
 * - tasks_claim_idx, tasks_lease_idx and tasks_completed_idx are unchanged.
 *
 * Events (migration 0007): the per-row triggers become statement triggers over transition
 * tables, one PL/pgSQL call per statement instead of per row; each changed task is still
 * NOTIFYed with the same payload, status changes only, from every code path.
 *
 * Function bodies stay on one line: the migration runner splits statements on `;` at line ends.
 */
export const sql = `
DROP TRIGGER tasks_notify_insert ON tasks;
DROP TRIGGER tasks_notify_status ON tasks;
DROP FUNCTION sutazai_notify_task();
CREATE FUNCTION sutazai_notify_tasks_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('sutazai_events', json_build_object('t', 'task', 'id', n.id, 'type', left(n.type, 200), 'state', n.status, 'agent_id', n.agent_id, 'attempts', n.attempts, 'updated_at', n.updated_at, 'owner_id', n.owner_id)::text) FROM new_rows n; RETURN NULL; END $$;
CREATE FUNCTION sutazai_notify_tasks_updated() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('sutazai_events', json_build_object('t', 'task', 'id', n.id, 'type', left(n.type, 200), 'state', n.status, 'agent_id', n.agent_id, 'attempts', n.attempts, 'updated_at', n.updated_at, 'owner_id', n.owner_id)::text) FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE o.status IS DISTINCT FROM n.status; RETURN NULL; END $$;
CREATE TRIGGER tasks_notify_insert AFTER INSERT ON tasks REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sutazai_notify_tasks_inserted();
CREATE TRIGGER tasks_notify_status AFTER UPDATE ON tasks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sutazai_notify_tasks_updated();

DROP INDEX tasks_status_idx;
DROP INDEX tasks_created_idx;
DROP INDEX tasks_owner_created_idx;
DROP INDEX tasks_agent_id_idx;
CREATE INDEX tasks_status_created_idx ON tasks (status, created_at DESC, id DESC) WHERE status <> 'running';
CREATE INDEX tasks_owner_status_created_idx ON tasks (owner_id, status, created_at DESC, id DESC)
  WHERE owner_id IS NOT NULL AND status <> 'running';
CREATE INDEX tasks_agent_id_idx ON tasks (agent_id) WHERE agent_id IS NOT NULL;
`;
