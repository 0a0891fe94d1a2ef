import type { Queryable } from '../../db/types.js';
import { RETENTION_MS } from './rollup.js';

export interface SeriesInfo {
  name: string;
  kind: string;
  metric: string;
  subject: string;
  lastAt: string | null;
  lastValue: number | null;
}

export interface HistoryPoint {
  /** Bucket start, ISO 8601. */
  t: string;
  count: number;
  min: number;
  max: number;
  mean: number;
  p95: number;
}

export interface History {
  series: string;
  from: string;
  to: string;
  step: number;
  /** Where the points came from: raw samples, or the 300 s / 3600 s roll-ups. */
  source: 'raw' | 'rollup-300' | 'rollup-3600';
  points: HistoryPoint[];
}

export async function listSeries(db: Queryable): Promise<SeriesInfo[]> {
  const res = await db.query<{
    name: string;
    kind: string;
    metric: string;
    subject: string;
    last_at: Date | null;
    last_value: number | null;
  }>('SELECT name, kind, metric, subject, last_at, last_value FROM resource_series ORDER BY name');
  return res.rows.map((r) => ({
    name: r.name,
    kind: r.kind,
    metric: r.metric,
    subject: r.subject,
    lastAt: r.last_at ? new Date(r.last_at).toISOString() : null,
    lastValue: r.last_value === null ? null : Number(r.last_value),
  }));
}

export async function seriesId(db: Queryable, name: string): Promise<number | undefined> {
  const res = await db.query<{ id: number }>('SELECT id FROM resource_series WHERE name = $1', [name]);
  return res.rows[0]?.id;
}

/**
 * The finest source that covers the range at the step: raw when the step is under 5 minutes and
 * the range starts within the last 24 h, the 5-minute roll-up when the step is under an hour and
 * the range starts within 30 days, the hourly roll-up otherwise.
 */
export function chooseSource(fromMs: number, stepSeconds: number, now: number): History['source'] {
  if (stepSeconds < 300 && fromMs >= now - RETENTION_MS.raw) return 'raw';
  if (stepSeconds < 3600 && fromMs >= now - RETENTION_MS[300]) return 'rollup-300';
  return 'rollup-3600';
}

/**
 * Points of one series in [from, to) grouped by `step` seconds. From raw samples every statistic
 * is exact; from roll-ups min and max are exact, the mean is count-weighted (exact), and p95 is
 * the largest bucket p95 in the step (an upper bound, never an understatement).
 */
export async function readHistory(
  db: Queryable,
  id: number,
  q: { series: string; fromMs: number; toMs: number; stepSeconds: number; now: number },
): Promise<History> {
  const source = chooseSource(q.fromMs, q.stepSeconds, q.now);
  const params = [id, new Date(q.fromMs).toISOString(), new Date(q.toMs).toISOString(), q.stepSeconds];
  const bucket = 'to_timestamp(floor(extract(epoch FROM {col}) / $4) * $4)';
  const sql =
    source === 'raw'
      ? `SELECT ${bucket.replace('{col}', 'at')} AS t, count(*)::int AS count, min(value) AS min,
                max(value) AS max, avg(value) AS mean,
                percentile_cont(0.95) WITHIN GROUP (ORDER BY value) AS p95
           FROM resource_samples WHERE series_id = $1 AND at >= $2::timestamptz AND at < $3::timestamptz
          GROUP BY t ORDER BY t`
      : `SELECT ${bucket.replace('{col}', 'bucket')} AS t, sum(count)::int AS count, min(min) AS min,
                max(max) AS max, sum(mean * count) / sum(count) AS mean, max(p95) AS p95
           FROM resource_rollups
          WHERE series_id = $1 AND resolution = ${source === 'rollup-300' ? 300 : 3600}
            AND bucket >= $2::timestamptz AND bucket < $3::timestamptz
          GROUP BY t ORDER BY t`;
  const res = await db.query<{ t: Date; count: number; min: number; max: number; mean: number; p95: number }>(
    sql,
    params,
  );
  return {
    series: q.series,
    from: new Date(q.fromMs).toISOString(),
    to: new Date(q.toMs).toISOString(),
    step: q.stepSeconds,
    source,
    points: res.rows.map((r) => ({
      t: new Date(r.t).toISOString(),
      count: Number(r.count),
      min: Number(r.min),
      max: Number(r.max),
      mean: Number(r.mean),
      p95: Number(r.p95),
    })),
  };
}

/** Raw samples of one series in [from, to), oldest first, for forecasts and backtests. */
export async function readSamples(
  db: Queryable,
  id: number,
  fromMs: number,
  toMs: number,
): Promise<Array<{ t: number; v: number }>> {
  const res = await db.query<{ at: Date; value: number }>(
    `SELECT at, value FROM resource_samples WHERE series_id = $1 AND at >= $2::timestamptz AND at < $3::timestamptz ORDER BY at`,
    [id, new Date(fromMs).toISOString(), new Date(toMs).toISOString()],
  );
  return res.rows.map((r) => ({ t: new Date(r.at).getTime(), v: Number(r.value) }));
}

/** The latest stored value of a series (the sampler keeps it on the series row). */
export async function latestValue(db: Queryable, name: string): Promise<number | undefined> {
  const res = await db.query<{ last_value: number | null }>(
    'SELECT last_value FROM resource_series WHERE name = $1',
    [name],
  );
  const v = res.rows[0]?.last_value;
  return v === null || v === undefined ? undefined : Number(v);
}
