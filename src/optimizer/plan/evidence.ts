import type { Queryable } from '../../db/types.js';
import { theilSen } from '../forecast/fit.js';
import { readSamples, seriesId } from '../store/history.js';
import { bucketStart } from '../store/rollup.js';

/** What a series says over a window: the numbers every recommendation is made from. */
export interface SeriesEvidence {
  series: string;
  samples: number;
  /** First to last sample in the window (ms). */
  historyMs: number;
  peak: number;
  p95: number;
  /** Theil–Sen trend over the raw samples (units per hour), when there are enough of them. */
  fit?: { slopePerHour: number; residualStd: number };
}

const BUCKET_MS = 300_000;

interface Weighted {
  value: number;
  weight: number;
}

/** The smallest value with at least q of the total weight at or below it. */
export function weightedQuantile(items: readonly Weighted[], q: number): number {
  const sorted = [...items].sort((a, b) => a.value - b.value);
  const total = sorted.reduce((n, i) => n + i.weight, 0);
  let seen = 0;
  for (const i of sorted) {
    seen += i.weight;
    if (seen >= q * total) return i.value;
  }
  return sorted.at(-1)?.value ?? NaN;
}

/**
 * Evidence of one series over [now − windowMs, now]: raw samples where they are kept (24 h),
 * the 5-minute roll-ups before that. Peak is exact either way (bucket maxima are exact). p95 is
 * exact over raw samples; a rolled-up bucket counts as its own p95 weighted by its sample count,
 * which can only overstate the percentile, never understate it. Undefined when the series does
 * not exist or has no sample in the window.
 */
export async function readSeriesEvidence(
  db: Queryable,
  name: string,
  windowMs: number,
  now: number,
): Promise<SeriesEvidence | undefined> {
  const id = await seriesId(db, name);
  if (id === undefined) return undefined;
  const raw = await readSamples(db, id, now - windowMs, now + 1);
  const rawFrom = raw[0]?.t ?? now + 1;
  const rolled = await db.query<{ bucket: Date; count: number; max: number; p95: number }>(
    `SELECT bucket, count, max, p95 FROM resource_rollups
      WHERE series_id = $1 AND resolution = 300 AND bucket >= $2::timestamptz AND bucket < $3::timestamptz
      ORDER BY bucket`,
    [
      id,
      new Date(bucketStart(now - windowMs, 300) + BUCKET_MS).toISOString(),
      new Date(bucketStart(rawFrom, 300)).toISOString(),
    ],
  );
  const buckets = rolled.rows.map((r) => ({
    t: new Date(r.bucket).getTime(),
    count: Number(r.count),
    max: Number(r.max),
    p95: Number(r.p95),
  }));
  const samples = raw.length + buckets.reduce((n, b) => n + b.count, 0);
  if (samples === 0) return undefined;
  const firstAt = buckets[0]?.t ?? raw[0]!.t;
  const lastAt = raw.at(-1)?.t ?? buckets.at(-1)!.t + BUCKET_MS;
  const items = [
    ...buckets.map((b) => ({ value: b.p95, weight: b.count })),
    ...raw.map((p) => ({ value: p.v, weight: 1 })),
  ];
  const peak = Math.max(...buckets.map((b) => b.max), ...raw.map((p) => p.v));
  const out: SeriesEvidence = {
    series: name,
    samples,
    historyMs: lastAt - firstAt,
    peak,
    p95: weightedQuantile(items, 0.95),
  };
  if (raw.length >= 3) {
    const t0 = raw[0]!.t;
    const f = theilSen(
      raw.map((p) => (p.t - t0) / 1000),
      raw.map((p) => p.v),
    );
    out.fit = { slopePerHour: f.slope * 3600, residualStd: f.sigma };
  }
  return out;
}

/** Subjects that have a series of this kind and metric (e.g. every container with memory samples). */
export async function subjectsOf(db: Queryable, kind: string, metric: string): Promise<string[]> {
  const res = await db.query<{ subject: string }>(
    'SELECT subject FROM resource_series WHERE kind = $1 AND metric = $2 ORDER BY subject',
    [kind, metric],
  );
  return res.rows.map((r) => r.subject);
}
