import type { Queryable } from '../db/index.js';
import { isUuid } from './rows.js';
import { AGENT_STATUSES, type AgentStatus } from './types.js';

/**
 * Runtime bookkeeping the worker and the agent runner call. These never throw for an unknown
 * agent (it may have been deleted while a task ran): they return false instead.
 */

/**
 * Sets an agent's status. Any status but `offline` is also proof of life, so it records a
 * heartbeat too; otherwise a long busy spell would look stale to markStaleAgentsOffline.
 */
export async function setAgentStatus(db: Queryable, id: string, status: AgentStatus): Promise<boolean> {
  if (!AGENT_STATUSES.includes(status)) throw new TypeError(`unknown agent status ${String(status)}`);
  if (!isUuid(id)) return false;
  const result = await db.query(
    `UPDATE agents SET status = $2,
       last_heartbeat = CASE WHEN $2 = 'offline' THEN last_heartbeat ELSE now() END
     WHERE id = $1::uuid RETURNING id`,
    [id, status],
  );
  return result.rows.length > 0;
}

/** Records that the agent is alive; an agent marked offline comes back as idle. */
export async function recordHeartbeat(db: Queryable, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const result = await db.query(
    `UPDATE agents SET last_heartbeat = now(),
       status = CASE WHEN status = 'offline' THEN 'idle' ELSE status END
     WHERE id = $1::uuid RETURNING id`,
    [id],
  );
  return result.rows.length > 0;
}

/**
 * Marks offline every agent whose last heartbeat is older than `olderThanMs`. Agents that never
 * sent a heartbeat are left alone: they have not run yet, which is not the same as gone.
 * Returns the names of the agents it changed.
 */
export async function markStaleAgentsOffline(db: Queryable, olderThanMs: number): Promise<string[]> {
  if (!Number.isFinite(olderThanMs) || olderThanMs < 0) throw new RangeError('olderThanMs must be >= 0');
  const result = await db.query<{ name: string }>(
    `UPDATE agents SET status = 'offline'
     WHERE status <> 'offline' AND last_heartbeat IS NOT NULL
       AND last_heartbeat < now() - make_interval(secs => $1::float8 / 1000)
     RETURNING name`,
    [olderThanMs],
  );
  return result.rows.map((r) => r.name).sort();
}
