import type { Queryable } from '../../db/index.js';

export type AgentRunStatus = 'idle' | 'busy' | 'error';

/** Heartbeat: the runner reports busy at start, idle after, error after a failed attempt. */
export async function setAgentStatus(db: Queryable, agentId: string, status: AgentRunStatus): Promise<void> {
  await db.query(`UPDATE agents SET status = $2, last_heartbeat = now(), updated_at = now() WHERE id = $1`, [
    agentId,
    status,
  ]);
}
