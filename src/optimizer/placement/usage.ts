import type { Queryable } from '../../db/types.js';
import { RETENTION_MS } from '../store/rollup.js';
import type { CpuStat } from './types.js';

/**
 * CPU statistics over the placement window, for every per-core and per-container CPU series at
 * once. Within 24 h they come from raw samples (exact mean and p95); beyond, from the 5-minute
 * roll-ups: the count-weighted mean (exact) and the 95th percentile of the buckets' p95 values
 * (an approximation: a bucket's p95 already smooths its samples).
 */
export async function readCpuUsage(
  db: Queryable,
  windowMs: number,
  now: number,
): Promise<{ cores: Map<number, CpuStat>; containers: Map<string, CpuStat> }> {
  const raw = windowMs <= RETENTION_MS.raw;
  const sql = raw
    ? `SELECT s.kind, s.subject, count(*)::int AS samples, avg(x.value) AS mean,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY x.value) AS p95
         FROM resource_series s JOIN resource_samples x ON x.series_id = s.id
        WHERE ((s.kind = 'host' AND s.metric = 'cpu_busy') OR (s.kind = 'container' AND s.metric = 'cpu_cores'))
          AND x.at >= $1::timestamptz AND x.at <= $2::timestamptz
        GROUP BY s.kind, s.subject`
    : `SELECT s.kind, s.subject, sum(x.count)::int AS samples, sum(x.mean * x.count) / sum(x.count) AS mean,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY x.p95) AS p95
         FROM resource_series s JOIN resource_rollups x ON x.series_id = s.id AND x.resolution = 300
        WHERE ((s.kind = 'host' AND s.metric = 'cpu_busy') OR (s.kind = 'container' AND s.metric = 'cpu_cores'))
          AND x.bucket >= $1::timestamptz AND x.bucket <= $2::timestamptz
        GROUP BY s.kind, s.subject`;
  const res = await db.query<{ kind: string; subject: string; samples: number; mean: number; p95: number }>(
    sql,
    [new Date(now - windowMs).toISOString(), new Date(now).toISOString()],
  );
  const cores = new Map<number, CpuStat>();
  const containers = new Map<string, CpuStat>();
  for (const r of res.rows) {
    const stat = { samples: Number(r.samples), mean: Number(r.mean), p95: Number(r.p95) };
    const cpu = /^cpu(\d+)$/.exec(r.subject)?.[1];
    if (r.kind === 'host' && cpu !== undefined) cores.set(Number(cpu), stat);
    else if (r.kind === 'container') containers.set(r.subject, stat);
  }
  return { cores, containers };
}

/**
 * The same statistics from plain values (tests, and anything that already holds samples):
 * p95 interpolates linearly like PostgreSQL's percentile_cont.
 */
export function summarize(values: readonly number[]): CpuStat {
  if (!values.length) return { samples: 0, mean: 0, p95: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * 0.95;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const p95 = sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
  return { samples: values.length, mean: values.reduce((a, b) => a + b, 0) / values.length, p95 };
}
