import type { Queryable } from '../db/index.js';
import { COUNT_BY_STATUS_SQL } from './list.js';
import type { TaskStatus } from './types.js';

export interface QueueOverview {
  byState: Record<TaskStatus, number>;
  /** Tasks that reached a terminal state in the last minute. */
  throughputPerMin: number;
  /** How long the oldest runnable pending task has waited past its run_at; null when none waits. */
  lagMs: number | null;
}

/**
 * The queue at a glance, in one statement. The counts read the status indexes; throughput and lag
 * read only recent or runnable rows.
 */
export async function queueOverview(db: Queryable): Promise<QueueOverview> {
  const { rows } = await db.query<{
    by_state: Record<string, number> | null;
    done: number;
    lag_ms: number | null;
  }>(
    `SELECT
       (SELECT json_object_agg(status, n) FROM (${COUNT_BY_STATUS_SQL}) s) AS by_state,
       (SELECT count(*)::int FROM tasks
          WHERE completed_at > now() - interval '1 minute') AS done,
       (SELECT (extract(epoch FROM now() - min(run_at)) * 1000)::float8 FROM tasks
          WHERE status = 'pending' AND run_at <= now()) AS lag_ms`,
  );
  const row = rows[0];
  const counts = row?.by_state ?? {};
  const byState: Record<TaskStatus, number> = { pending: 0, running: 0, completed: 0, cancelled: 0, dead: 0 };
  for (const key of Object.keys(byState) as TaskStatus[]) byState[key] = Number(counts[key] ?? 0);
  const lag = row?.lag_ms;
  return {
    byState,
    throughputPerMin: row?.done ?? 0,
    lagMs: lag === null || lag === undefined ? null : Math.max(0, Math.round(Number(lag))),
  };
}
