import type { OptimizerConfig } from '../config/schema.js';
import type { Queryable } from '../db/types.js';
import { SutazaiError } from '../errors.js';
import { backtest, type BacktestResult } from './forecast/backtest.js';
import { forecastSeries, type Ceiling, type Forecast } from './forecast/forecast.js';
import { latestValue, readHistory, readSamples, seriesId, type History } from './store/history.js';
import { RETENTION_MS } from './store/rollup.js';
import { HOST_MEMORY_TOTAL, limitSeriesOf, parseSeries } from './types.js';

/** Most points one history answer may hold. */
export const MAX_HISTORY_POINTS = 11_000;

export interface HistoryQuery {
  from?: number;
  to?: number;
  step?: number;
}

async function requireSeries(db: Queryable, name: string): Promise<number> {
  const id = parseSeries(name) ? await seriesId(db, name) : undefined;
  if (id === undefined) throw new SutazaiError('SUTAZAI_ERR_RESOURCES_SERIES_NOT_FOUND', { series: name });
  return id;
}

/** History with defaults (the last hour at 60 s) and the range checked before any query. */
export async function seriesHistory(
  db: Queryable,
  name: string,
  q: HistoryQuery,
  now = Date.now(),
): Promise<History> {
  const toMs = q.to ?? now;
  const fromMs = q.from ?? toMs - 3_600_000;
  const step = q.step ?? 60;
  const bad = (reason: string) => new SutazaiError('SUTAZAI_ERR_RESOURCES_RANGE_INVALID', { reason });
  if (!(fromMs < toMs)) throw bad('from must be before to');
  if ((toMs - fromMs) / 1000 / step > MAX_HISTORY_POINTS)
    throw bad(`(to - from) / step exceeds ${MAX_HISTORY_POINTS} points; use a larger step`);
  const id = await requireSeries(db, name);
  return readHistory(db, id, { series: name, fromMs, toMs, stepSeconds: step, now });
}

/** Points for a forecast: raw samples when the window fits in 24 h, else 5-minute means. */
async function windowPoints(db: Queryable, id: number, windowMs: number, now: number) {
  if (windowMs <= RETENTION_MS.raw) return readSamples(db, id, now - windowMs, now + 1);
  const res = await db.query<{ bucket: Date; mean: number }>(
    `SELECT bucket, mean FROM resource_rollups WHERE series_id = $1 AND resolution = 300
       AND bucket >= $2::timestamptz ORDER BY bucket`,
    [id, new Date(now - windowMs).toISOString()],
  );
  return res.rows.map((r) => ({ t: new Date(r.bucket).getTime() + 150_000, v: Number(r.mean) }));
}

/** The ceiling of a usage series: its own limit, else host memory for memory series. */
export async function ceilingOf(db: Queryable, name: string): Promise<Ceiling | null> {
  const parsed = parseSeries(name);
  const limitName = limitSeriesOf(name);
  if (!parsed || !limitName) return null;
  const own = await latestValue(db, limitName);
  if (parsed.metric === 'disk_bytes') return own ? { bytes: own, source: 'data-disk' } : null;
  if (own && parsed.kind !== 'host') return { bytes: own, source: 'memory-limit' };
  const host = await latestValue(db, HOST_MEMORY_TOTAL);
  return host ? { bytes: host, source: 'host-memory' } : null;
}

export async function seriesForecast(
  db: Queryable,
  name: string,
  config: OptimizerConfig['forecast'],
  now = Date.now(),
): Promise<Forecast> {
  const id = await requireSeries(db, name);
  const points = await windowPoints(db, id, config.windowMs, now);
  return forecastSeries(name, points, await ceilingOf(db, name), config);
}

export async function seriesBacktest(
  db: Queryable,
  name: string,
  config: OptimizerConfig['forecast'],
  opts: { stepMs?: number } = {},
  now = Date.now(),
): Promise<BacktestResult> {
  const id = await requireSeries(db, name);
  const points = await readSamples(db, id, 0, now + 1);
  return backtest(name, points, {
    ...config,
    stepMs: opts.stepMs ?? 15 * 60_000,
    toleranceMs: 5 * 60_000,
  });
}
