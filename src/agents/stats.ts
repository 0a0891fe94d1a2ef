import type { Queryable } from '../db/index.js';
import { toDate } from './rows.js';
import type { Agent, AgentStats, RecentTask } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** How many tasks the detail view lists, and how many finished tasks the success rate covers. */
export const RECENT_TASKS = 10;
export const SUCCESS_WINDOW = 100;

interface RecentRow {
  id: string;
  type: string;
  status: string;
  created_at: Date;
  completed_at: Date | null;
}

/**
 * Per-agent statistics from the tasks table. "Finished" means completed or dead: a cancelled task
 * says nothing about whether the agent works, so it counts toward neither side of the rate.
 * Token sums read result.usage.{prompt,completion}_tokens and ignore values that are not numbers.
 */
export async function getAgentStats(db: Queryable, agent: Agent, owner?: string): Promise<AgentStats> {
  const [recentTasks, success, counts, tokens] = await Promise.all([
    recent(db, agent.id, owner),
    successRate(db, agent.id),
    taskCounts(db, agent.id),
    tokenUsage(db, agent.id),
  ]);
  return {
    recentTasks,
    successRate: success.finished === 0 ? null : success.completed / success.finished,
    finishedConsidered: success.finished,
    taskCounts: counts,
    tokenUsage: tokens,
    status: agent.status,
    lastHeartbeat: agent.lastHeartbeat,
  };
}

/** `owner` set (non-admin callers): only that owner's tasks are listed; the counts stay global. */
async function recent(db: Queryable, agentId: string, owner?: string): Promise<RecentTask[]> {
  const { rows } = await db.query<RecentRow>(
    `SELECT id, type, status, created_at, completed_at FROM tasks
     WHERE agent_id = $1 AND ($2::uuid IS NULL OR owner_id = $2::uuid)
     ORDER BY created_at DESC, id DESC LIMIT ${RECENT_TASKS}`,
    // Owner ids are UUIDs; any other principal id owns nothing (the nil UUID matches no task).
    [agentId, owner === undefined ? null : UUID.test(owner) ? owner : NIL_UUID],
  );
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    status: r.status,
    createdAt: toDate(r.created_at)!,
    completedAt: toDate(r.completed_at),
  }));
}

async function successRate(db: Queryable, agentId: string): Promise<{ completed: number; finished: number }> {
  const { rows } = await db.query<{ completed: number; finished: number }>(
    `SELECT count(*) FILTER (WHERE status = 'completed')::int AS completed, count(*)::int AS finished
     FROM (SELECT status FROM tasks WHERE agent_id = $1 AND status IN ('completed', 'dead')
           ORDER BY COALESCE(completed_at, updated_at) DESC, id DESC LIMIT ${SUCCESS_WINDOW}) last`,
    [agentId],
  );
  return rows[0] ?? { completed: 0, finished: 0 };
}

async function taskCounts(db: Queryable, agentId: string): Promise<AgentStats['taskCounts']> {
  const { rows } = await db.query<{ status: keyof AgentStats['taskCounts']; n: number }>(
    'SELECT status, count(*)::int AS n FROM tasks WHERE agent_id = $1 GROUP BY status',
    [agentId],
  );
  const counts = { pending: 0, running: 0, completed: 0, cancelled: 0, dead: 0 };
  for (const row of rows) counts[row.status] = row.n;
  return counts;
}

const usageSum = (key: string) =>
  `COALESCE(sum(CASE WHEN jsonb_typeof(result -> 'usage' -> '${key}') = 'number'
    THEN (result -> 'usage' ->> '${key}')::numeric END), 0)::float8`;

async function tokenUsage(db: Queryable, agentId: string): Promise<AgentStats['tokenUsage']> {
  const { rows } = await db.query<{ prompt: number; completion: number }>(
    `SELECT ${usageSum('prompt_tokens')} AS prompt, ${usageSum('completion_tokens')} AS completion
     FROM tasks WHERE agent_id = $1 AND result IS NOT NULL`,
    [agentId],
  );
  const prompt = Number(rows[0]?.prompt ?? 0);
  const completion = Number(rows[0]?.completion ?? 0);
  return { promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion };
}
