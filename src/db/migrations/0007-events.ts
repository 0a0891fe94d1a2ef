/**
 * Issue 11: the live events stream (decision 0031). Every task state change and every step the
 * agent runner journals is NOTIFYed on `sutazai_events`, by the database itself, so an API
 * process sees what a worker process did (and every code path that changes a status is covered,
 * the reaper's and the claim function's included). Payloads are small JSON objects, text fields
 * cut short so a NOTIFY never exceeds PostgreSQL's 8000-byte limit (which would fail the write).
 *
 * tasks_completed_idx serves the overview's throughput (tasks finished in the last minute).
 *
 * Function bodies stay on one line: the migration runner splits statements on `;` at line ends.
 */
export const sql = `
CREATE FUNCTION sutazai_notify_task() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('sutazai_events', json_build_object('t', 'task', 'id', NEW.id, 'type', left(NEW.type, 200), 'state', NEW.status, 'agent_id', NEW.agent_id, 'attempts', NEW.attempts, 'updated_at', NEW.updated_at, 'owner_id', NEW.owner_id)::text); RETURN NULL; END $$;
CREATE TRIGGER tasks_notify_insert AFTER INSERT ON tasks FOR EACH ROW EXECUTE FUNCTION sutazai_notify_task();
CREATE TRIGGER tasks_notify_status AFTER UPDATE OF status ON tasks FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION sutazai_notify_task();
CREATE FUNCTION sutazai_notify_task_step() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('sutazai_events', json_build_object('t', 'task_step', 'task_id', NEW.task_id, 'seq', NEW.seq, 'attempt', NEW.attempt, 'kind', NEW.kind, 'tool_name', left(NEW.tool_name, 256), 'duration_ms', NEW.duration_ms, 'owner_id', (SELECT owner_id FROM tasks WHERE id = NEW.task_id))::text); RETURN NULL; END $$;
CREATE TRIGGER task_steps_notify AFTER INSERT ON task_steps FOR EACH ROW EXECUTE FUNCTION sutazai_notify_task_step();
CREATE INDEX tasks_completed_idx ON tasks (completed_at) WHERE completed_at IS NOT NULL;
`;
