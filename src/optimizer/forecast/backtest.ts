import { forecastSeries, type ForecastOptions } from './forecast.js';

export interface BacktestResult {
  series: string;
  /** Forecasts made and scored (origins with enough evidence and an actual value at the horizon). */
  scored: number;
  /** Origins where the forecast refused (not enough evidence). */
  refused: number;
  /** Mean absolute percentage error of the horizon prediction, %; null when nothing was scored. */
  mape: number | null;
  /** Share of actual values inside the prediction interval, 0..1; null when nothing was scored. */
  coverage: number | null;
}

/**
 * Replays recorded history: at each origin (every `stepMs`), fits on the `windowMs` before it as
 * the live forecast would, predicts the value `horizonMs` later, and compares with the recorded
 * value nearest that time (within `toleranceMs`). Actual values of 0 are skipped for MAPE.
 */
export function backtest(
  series: string,
  points: ReadonlyArray<{ t: number; v: number }>,
  options: ForecastOptions & { windowMs: number; stepMs: number; toleranceMs: number },
): BacktestResult {
  let scored = 0;
  let refused = 0;
  let apeSum = 0;
  let apeCount = 0;
  let covered = 0;
  if (points.length < 2) return { series, scored, refused, mape: null, coverage: null };
  const start = points[0]!.t + options.minHistoryMs;
  const end = points.at(-1)!.t - options.horizonMs;
  let lo = 0;
  for (let origin = start; origin <= end; origin += options.stepMs) {
    while (lo < points.length && points[lo]!.t < origin - options.windowMs) lo++;
    let hi = lo;
    while (hi < points.length && points[hi]!.t <= origin) hi++;
    const f = forecastSeries(series, points.slice(lo, hi), null, options);
    if (f.evidence.status !== 'ok') {
      refused++;
      continue;
    }
    const actual = nearest(points, origin + options.horizonMs, options.toleranceMs);
    if (actual === undefined) continue;
    scored++;
    const h = f.evidence.horizon;
    if (actual >= h.lower && actual <= h.upper) covered++;
    if (actual !== 0) {
      apeSum += Math.abs((h.predicted - actual) / actual);
      apeCount++;
    }
  }
  return {
    series,
    scored,
    refused,
    mape: apeCount ? (apeSum / apeCount) * 100 : null,
    coverage: scored ? covered / scored : null,
  };
}

function nearest(points: ReadonlyArray<{ t: number; v: number }>, t: number, tolerance: number) {
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  const candidates = [points[lo], points[lo - 1]].filter((p) => p !== undefined);
  const best = candidates.sort((a, b) => Math.abs(a.t - t) - Math.abs(b.t - t))[0];
  return best && Math.abs(best.t - t) <= tolerance ? best.v : undefined;
}
