import { leastSquares, predict, predictionHalfWidth, residuals, theilSen, type Fit } from './fit.js';
import { formatValue } from '../format-value.js';
import { lag1Autocorrelation, levelMovement, varianceInflation } from './residuals.js';

export interface ForecastOptions {
  horizonMs: number;
  minHistoryMs: number;
  minPoints: number;
  maxRelativeError: number;
  /** Level movement around the trend (running-median range) over the mean level above this → refuse. */
  maxLevelShift: number;
  intervalZ: number;
}

export interface Ceiling {
  bytes: number;
  /** What the ceiling is: the container's or server's memory limit, host memory, or the data-dir disk. */
  source: 'memory-limit' | 'host-memory' | 'data-disk';
}

export interface FitSummary {
  /** Units per hour. */
  slopePerHour: number;
  /** Residual error σ, in the series' unit. */
  sigma: number;
}

export type Evidence =
  | { status: 'not-enough-evidence'; reason: string }
  | {
      status: 'ok';
      /** The fit the forecast uses (Theil–Sen), and least squares beside it for comparison. */
      fits: { theilSen: FitSummary; leastSquares: FitSummary };
      /** Robust σ over the mean level. */
      relativeError: number;
      /**
       * How the interval was widened for autocorrelated residuals: lag-1 autocorrelation ρ, and
       * the points' worth of independent evidence n(1 − ρ)/(1 + ρ) (decision 0067).
       */
      interval: { autocorrelation: number; effectivePoints: number };
      horizon: { at: string; predicted: number; lower: number; upper: number };
      exhaustion: {
        ceiling: Ceiling | null;
        /** When the trend reaches the ceiling; null when it does not rise, or there is no ceiling. */
        at: string | null;
        inSeconds: number | null;
        reason?: string;
      };
    };

export interface Forecast {
  series: string;
  window: { from: string | null; to: string | null; points: number };
  evidence: Evidence;
}

const summary = (f: Fit): FitSummary => ({ slopePerHour: f.slope * 3600, sigma: f.sigma });

/**
 * Forecast of one series from its points (oldest first): the Theil–Sen trend predicts the value
 * at now + horizon with a prediction interval, and the time the trend meets the ceiling. Refuses
 * ("not enough evidence", with the reason) on too few points, too short a history, a fit whose
 * robust error exceeds maxRelativeError of the mean level, or a level that jumps around the trend
 * (burstiness). The interval is widened for autocorrelated residuals (decision 0067). A rise is only reported as one when the
 * slope exceeds twice its standard error; a flat or falling series has no exhaustion time.
 */
export function forecastSeries(
  series: string,
  points: ReadonlyArray<{ t: number; v: number }>,
  ceiling: Ceiling | null,
  options: ForecastOptions,
): Forecast {
  const first = points[0];
  const last = points.at(-1);
  const window = {
    from: first ? new Date(first.t).toISOString() : null,
    to: last ? new Date(last.t).toISOString() : null,
    points: points.length,
  };
  const refuse = (reason: string): Forecast => ({
    series,
    window,
    evidence: { status: 'not-enough-evidence', reason },
  });
  if (!first || !last || points.length < options.minPoints)
    return refuse(`${points.length} points in the window; at least ${options.minPoints} are needed`);
  const span = last.t - first.t;
  if (span < options.minHistoryMs)
    return refuse(
      `history spans ${fmtDuration(span)}; at least ${fmtDuration(options.minHistoryMs)} is needed`,
    );
  const xs = points.map((p) => (p.t - first.t) / 1000);
  const ys = points.map((p) => p.v);
  const ts = theilSen(xs, ys);
  const ls = leastSquares(xs, ys);
  const level = ys.reduce((a, y) => a + Math.abs(y), 0) / ys.length;
  const relativeError = level > 0 ? ts.sigma / level : ts.sigma > 0 ? Infinity : 0;
  if (relativeError > options.maxRelativeError)
    return refuse(
      `the trend explains the series poorly: robust error is ${(relativeError * 100).toFixed(0)} % of the level (at most ${(options.maxRelativeError * 100).toFixed(0)} %)`,
    );
  const res = residuals(ts, xs, ys);
  const bursty = burstiness(series, ts, xs, res, level, options.maxLevelShift);
  if (bursty) return refuse(bursty);
  const rho = lag1Autocorrelation(res, ts.sigma);
  const k = varianceInflation(rho, ts.n);
  const xNow = xs.at(-1)!;
  const xH = xNow + options.horizonMs / 1000;
  const predicted = predict(ts, xH);
  const half = predictionHalfWidth(ts, xH, options.intervalZ, k);
  return {
    series,
    window,
    evidence: {
      status: 'ok',
      fits: { theilSen: summary(ts), leastSquares: summary(ls) },
      relativeError,
      interval: { autocorrelation: rho, effectivePoints: ts.n / k },
      horizon: {
        at: new Date(last.t + options.horizonMs).toISOString(),
        predicted,
        lower: predicted - half,
        upper: predicted + half,
      },
      exhaustion: exhaustion(ts, xNow, last.t, ceiling, xNow),
    },
  };
}

/**
 * The reason to refuse a series whose level jumps around its trend (level shifts, bursts), or
 * undefined: when the running median of the residuals moves by more than maxLevelShift of the
 * level and more than the trend itself moves over the window, a line says nothing about where the
 * series will be. The p90 error gate misses this when the jumps cover under 10 % of the window,
 * or when the series swings continuously with a σ just under maxRelativeError.
 */
function burstiness(
  series: string,
  fit: Fit,
  xs: readonly number[],
  res: readonly number[],
  level: number,
  maxShift: number,
): string | undefined {
  const moves = levelMovement(res);
  const trendMoves = Math.abs(fit.slope) * (xs.at(-1)! - xs[0]!);
  const share = level > 0 ? moves / level : moves > 0 ? Infinity : 0;
  if (share <= maxShift || moves <= trendMoves) return undefined;
  const amount = (v: number) => formatValue(series, v);
  return `the series moves by ${amount(moves)} around its trend within the window (${(share * 100).toFixed(0)} % of its level, at most ${(maxShift * 100).toFixed(0)} %), far more than its trend predicts (${amount(trendMoves)} over the window): level shifts or bursts`;
}

/**
 * A rise counts only when it is both statistically real (slope over twice its standard error) and
 * material (over the window it moved the level by more than the noise σ): with thousands of points
 * a rise of a few bytes an hour is "significant" and would predict exhaustion in a century.
 */
function exhaustion(fit: Fit, xNow: number, tNow: number, ceiling: Ceiling | null, spanSeconds: number) {
  if (!ceiling)
    return { ceiling: null, at: null, inSeconds: null, reason: 'no ceiling known for this series' };
  const current = predict(fit, xNow);
  if (current >= ceiling.bytes) return { ceiling, at: new Date(tNow).toISOString(), inSeconds: 0 };
  if (!(fit.slope > 0) || fit.slope <= 2 * fit.slopeError || fit.slope * spanSeconds <= fit.sigma)
    return { ceiling, at: null, inSeconds: null, reason: 'no significant upward trend' };
  const inSeconds = (ceiling.bytes - current) / fit.slope;
  return { ceiling, at: new Date(tNow + inSeconds * 1000).toISOString(), inSeconds };
}

export function fmtDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
}
