import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Db } from '../../../src/db/index.js';
import { createLogger } from '../../../src/log.js';

export const silentLogger = createLogger('silent');

export function agentFile(fm: Record<string, string>, body = 'You are a test agent.'): string {
  const lines = Object.entries(fm).map(([k, v]) => `${k}: ${v}`);
  return ['---', ...lines, '---', body, ''].join('\n');
}

/** A temporary agents directory; `write` creates files (and subdirectories) relative to it. */
export async function tempAgentsDir(): Promise<{
  dir: string;
  write: (rel: string, text: string) => Promise<void>;
  remove: (rel: string) => Promise<void>;
  cleanup: () => Promise<void>;
}> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sutazai-agents-'));
  return {
    dir,
    write: async (rel, text) => {
      await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await writeFile(path.join(dir, rel), text);
    },
    remove: (rel) => rm(path.join(dir, rel)),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface SeedTask {
  status: 'pending' | 'running' | 'completed' | 'cancelled' | 'dead';
  result?: unknown;
  createdAt?: string;
  completedAt?: string | null;
  type?: string;
}

/** Inserts task rows the way the queue and the agent runner leave them. */
export async function seedTasks(db: Db, agentId: string, tasks: SeedTask[]): Promise<string[]> {
  const ids: string[] = [];
  for (const t of tasks) {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO tasks (agent_id, type, status, result, created_at, completed_at, lease_expires_at)
       VALUES ($1, $2, $3, $4::jsonb, COALESCE($5::timestamptz, now()), $6::timestamptz,
               CASE WHEN $3 = 'running' THEN now() + interval '1 hour' END) RETURNING id`,
      [
        agentId,
        t.type ?? 'agent.run',
        t.status,
        t.result === undefined ? null : JSON.stringify(t.result),
        t.createdAt ?? null,
        t.completedAt ?? null,
      ],
    );
    ids.push(rows[0]!.id);
  }
  return ids;
}

export async function resetAgentTables(db: Db): Promise<void> {
  await db.query('TRUNCATE tasks, agents');
}
