import type { Queryable } from '../../db/types.js';

/** Roll-up resolutions in seconds, with how long each is kept. */
export const RESOLUTIONS = [300, 3600] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export const RETENTION_MS = {
  raw: 24 * 3_600_000,
  300: 30 * 24 * 3_600_000,
  3600: 365 * 24 * 3_600_000,
} as const;

/** Start of the bucket of `ms` at `resolution` seconds (buckets are aligned to the epoch). */
export function bucketStart(ms: number, resolution: number): number {
  const size = resolution * 1000;
  return Math.floor(ms / size) * size;
}

/**
 * Rolls raw samples of every completed bucket since the last roll-up into min, max, mean, p95
 * and count. Both resolutions are computed from raw samples (kept 24 h, longer than an hour), so
 * every p95 is exact, never a percentile of percentiles. Idempotent: a bucket rolled twice gets
 * the same row. Only completed buckets (ending at or before `now`) are rolled.
 */
export async function rollUp(db: Queryable, resolution: Resolution, now: number): Promise<number> {
  const last = await db.query<{ last: Date | null }>(
    'SELECT max(bucket) AS last FROM resource_rollups WHERE resolution = $1',
    [resolution],
  );
  const lastBucket = last.rows[0]?.last ? new Date(last.rows[0].last).getTime() : undefined;
  const from = Math.max(
    lastBucket === undefined ? 0 : lastBucket + resolution * 1000,
    bucketStart(now - RETENTION_MS.raw, resolution),
  );
  const to = bucketStart(now, resolution);
  if (from >= to) return 0;
  const res = await db.query(
    `INSERT INTO resource_rollups (series_id, resolution, bucket, count, min, max, mean, p95)
     SELECT series_id, $1::int,
            to_timestamp(floor(extract(epoch FROM at) / $1) * $1) AS bucket,
            count(*), min(value), max(value), avg(value),
            percentile_cont(0.95) WITHIN GROUP (ORDER BY value)
       FROM resource_samples
      WHERE at >= $2::timestamptz AND at < $3::timestamptz
      GROUP BY series_id, bucket
     ON CONFLICT (series_id, resolution, bucket) DO UPDATE
        SET count = EXCLUDED.count, min = EXCLUDED.min, max = EXCLUDED.max,
            mean = EXCLUDED.mean, p95 = EXCLUDED.p95`,
    [resolution, new Date(from).toISOString(), new Date(to).toISOString()],
  );
  return res.rowCount;
}

export interface RetentionResult {
  raw: number;
  rollups: number;
  series: number;
}

/**
 * Deletes raw samples older than 24 h, 5-minute buckets older than 30 days, hourly buckets older
 * than a year, and series that have had no sample for a year (their rows are gone by then).
 */
export async function enforceRetention(db: Queryable, now: number): Promise<RetentionResult> {
  const iso = (ms: number) => new Date(ms).toISOString();
  const raw = await db.query('DELETE FROM resource_samples WHERE at < $1::timestamptz', [
    iso(now - RETENTION_MS.raw),
  ]);
  const r5 = await db.query(
    'DELETE FROM resource_rollups WHERE resolution = 300 AND bucket < $1::timestamptz',
    [iso(now - RETENTION_MS[300])],
  );
  const r60 = await db.query(
    'DELETE FROM resource_rollups WHERE resolution = 3600 AND bucket < $1::timestamptz',
    [iso(now - RETENTION_MS[3600])],
  );
  const series = await db.query(
    'DELETE FROM resource_series WHERE coalesce(last_at, created_at) < $1::timestamptz',
    [iso(now - RETENTION_MS[3600])],
  );
  return { raw: raw.rowCount, rollups: r5.rowCount + r60.rowCount, series: series.rowCount };
}
