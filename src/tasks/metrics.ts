import type { Queryable } from '../db/index.js';
import { queueLag, tasksByStatus } from '../metrics/index.js';
import type { TaskStatus } from './types.js';

const STATUSES: readonly TaskStatus[] = ['pending', 'running', 'completed', 'cancelled', 'dead'];

/** Sets sutazai_tasks{status} and sutazai_queue_lag_seconds; call it when /metrics is scraped. */
export async function sampleQueueMetrics(db: Queryable): Promise<void> {
  const counts = await db.query<{ status: TaskStatus; n: number }>(
    'SELECT status, count(*)::int AS n FROM tasks GROUP BY status',
  );
  const byStatus = new Map(counts.rows.map((r) => [r.status, r.n]));
  for (const status of STATUSES) tasksByStatus.set({ status }, byStatus.get(status) ?? 0);
  const lag = await db.query<{ lag: number | null }>(
    `SELECT EXTRACT(EPOCH FROM now() - min(run_at))::float8 AS lag
     FROM tasks WHERE status = 'pending' AND run_at <= now()`,
  );
  queueLag.set(Math.max(0, lag.rows[0]?.lag ?? 0));
}
