import type { Queryable } from '../../src/db/index.js';
import type { TaskRecord } from '../../src/tasks/types.js';

/**
 * Inserts a task as a worker would hold it (status running, first attempt) and returns the record
 * a handler receives, for tests and benches that call a handler without the queue.
 */
export async function insertRunningTask(
  db: Queryable,
  agentId: string | null,
  payload: unknown,
  type = 'agent.run',
): Promise<TaskRecord> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO tasks (agent_id, type, payload, status, attempts, lease_expires_at)
     VALUES ($1, $2, $3, 'running', 1, now() + interval '1 hour') RETURNING id`,
    [agentId, type, JSON.stringify(payload)],
  );
  const now = new Date();
  return {
    id: rows[0]!.id,
    agentId,
    type,
    payload,
    status: 'running',
    priority: 0,
    attempts: 1,
    maxAttempts: 5,
    result: null,
    error: null,
    runAt: now,
    createdAt: now,
    startedAt: now,
    completedAt: null,
    requestedByRole: null,
  };
}
