import { leastSquares, predict, predictionHalfWidth, theilSen, type Fit } from './fit.js';

export interface ForecastOptions {
  horizonMs: number;
  minHistoryMs: number;
  minPoints: number;
  maxRelativeError: number;
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
 * ("not enough evidence", with the reason) on too few points, too short a history, or a fit whose
 * robust error exceeds maxRelativeError of the mean level. A rise is only reported as one when the
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
  const xNow = xs.at(-1)!;
  const xH = xNow + options.horizonMs / 1000;
  const predicted = predict(ts, xH);
  const half = predictionHalfWidth(ts, xH, options.intervalZ);
  return {
    series,
    window,
    evidence: {
      status: 'ok',
      fits: { theilSen: summary(ts), leastSquares: summary(ls) },
      relativeError,
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
