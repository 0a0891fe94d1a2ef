import type { Queryable } from '../db/index.js';
import { queueLag, tasksByStatus } from '../metrics/index.js';
import { countTasksByStatus, TASK_STATUSES } from './list.js';

/** Sets sutazai_tasks{status} and sutazai_queue_lag_seconds; call it when /metrics is scraped. */
export async function sampleQueueMetrics(db: Queryable): Promise<void> {
  const counts = await countTasksByStatus(db);
  for (const status of TASK_STATUSES) tasksByStatus.set({ status }, counts[status]);
  const lag = await db.query<{ lag: number | null }>(
    `SELECT EXTRACT(EPOCH FROM now() - min(run_at))::float8 AS lag
     FROM tasks WHERE status = 'pending' AND run_at <= now()`,
  );
  queueLag.set(Math.max(0, lag.rows[0]?.lag ?? 0));
}
