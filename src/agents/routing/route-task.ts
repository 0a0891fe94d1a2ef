import type { Queryable } from '../../db/index.js';
import { bm25, tokenize } from './bm25.js';

/**
 * Picks the agent for a task that names none: BM25 of the task's type and payload text against
 * each available agent's name, description and capabilities (capabilities count twice: they are
 * the agent's own claim of what it does). The score and a human-readable reason are stored on the
 * task; the lead calls this at enqueue time, and the runner calls it for an unrouted task.
 */
export interface RoutableTask {
  id: string;
  type: string;
  payload: unknown;
}

export interface RouteDecision {
  agentId: string;
  agentName: string;
  score: number;
  reason: string;
}

interface AgentDoc {
  id: string;
  name: string;
  description: string;
  capabilities: string[];
}

export function taskText(task: Pick<RoutableTask, 'type' | 'payload'>, max = 10_000): string {
  const parts: string[] = [task.type.replace(/[._-]/g, ' ')];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') parts.push(v);
    else if (typeof v === 'number' || typeof v === 'boolean') parts.push(String(v));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        parts.push(k);
        walk(x);
      }
    }
  };
  walk(task.payload);
  return parts.join(' ').slice(0, max);
}

export function rankAgents(agents: AgentDoc[], text: string): Array<RouteDecision> {
  const docs = agents.map((a) =>
    tokenize(
      [a.name.replace(/[._-]/g, ' '), a.description, a.capabilities.join(' '), a.capabilities.join(' ')].join(
        ' ',
      ),
    ),
  );
  return bm25(docs, tokenize(text))
    .filter((h) => h.score > 0)
    .sort((x, y) => y.score - x.score || agents[x.index]!.name.localeCompare(agents[y.index]!.name))
    .map((h) => ({
      agentId: agents[h.index]!.id,
      agentName: agents[h.index]!.name,
      score: Number(h.score.toFixed(4)),
      reason: `bm25 ${h.score.toFixed(2)} on ${h.matched.join(', ')}`,
    }));
}

/** Routes and records the decision; returns null (and records why) when no agent matches. */
export async function routeTask(db: Queryable, task: RoutableTask): Promise<RouteDecision | null> {
  const { rows } = await db.query<AgentDoc>(
    `SELECT id, name, description, capabilities FROM agents WHERE status <> 'offline' ORDER BY name`,
  );
  const best = rankAgents(rows, taskText(task))[0];
  if (!best) {
    await db.query(
      `UPDATE tasks SET routing_score = 0, routing_reason = $2, updated_at = now() WHERE id = $1`,
      [task.id, rows.length ? 'no agent matched the task text' : 'no agents available'],
    );
    return null;
  }
  await db.query(
    `UPDATE tasks SET agent_id = $2, routing_score = $3, routing_reason = $4, updated_at = now()
      WHERE id = $1 AND agent_id IS NULL`,
    [task.id, best.agentId, best.score, `${best.agentName}: ${best.reason}`],
  );
  return best;
}
