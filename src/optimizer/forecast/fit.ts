/**
 * Straight-line fits of y over x (x in seconds from the first point, y in the series' unit).
 *
 * Least squares: slope = Sxy / Sxx, intercept = ȳ − slope·x̄, error σ = √(RSS / (n − 2)).
 * Theil–Sen: slope = median of the pairwise slopes (y_j − y_i)/(x_j − x_i), intercept = median of
 * y − slope·x, error σ = 90th percentile of |residual| / 1.645 (equal to σ for normal noise,
 * unmoved by up to 10 % of wild points, yet large for a series that jumps between two levels,
 * where the median absolute residual would be zero). Up to 29 % of the points can be arbitrary
 * without moving the slope; least squares moves with a single one.
 */
export interface Fit {
  method: 'least-squares' | 'theil-sen';
  /** Units per second. */
  slope: number;
  /** Value at x = 0. */
  intercept: number;
  /** Residual standard error, in the series' unit. */
  sigma: number;
  /** Standard error of the slope: σ / √Sxx. */
  slopeError: number;
  n: number;
  meanX: number;
  sxx: number;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Linear-interpolated quantile, q in [0, 1]. */
export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

function sxxOf(xs: readonly number[], mx: number): number {
  return xs.reduce((a, x) => a + (x - mx) ** 2, 0);
}

export function leastSquares(xs: readonly number[], ys: readonly number[]): Fit {
  const n = xs.length;
  const mx = mean(xs);
  const my = mean(ys);
  const sxx = sxxOf(xs, mx);
  const sxy = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0);
  const slope = sxx > 0 ? sxy / sxx : 0;
  const intercept = my - slope * mx;
  const rss = xs.reduce((a, x, i) => a + (ys[i]! - intercept - slope * x) ** 2, 0);
  const sigma = n > 2 ? Math.sqrt(rss / (n - 2)) : 0;
  return {
    method: 'least-squares',
    slope,
    intercept,
    sigma,
    slopeError: sxx > 0 ? sigma / Math.sqrt(sxx) : Infinity,
    n,
    meanX: mx,
    sxx,
  };
}

/** Pairs are O(n²): above this many points the series is thinned evenly first. */
export const THEIL_SEN_MAX_POINTS = 400;

export function theilSen(xsIn: readonly number[], ysIn: readonly number[]): Fit {
  const { xs, ys } = thin(xsIn, ysIn, THEIL_SEN_MAX_POINTS);
  const slopes: number[] = [];
  for (let i = 0; i < xs.length; i++)
    for (let j = i + 1; j < xs.length; j++) {
      const dx = xs[j]! - xs[i]!;
      if (dx !== 0) slopes.push((ys[j]! - ys[i]!) / dx);
    }
  const slope = slopes.length ? median(slopes) : 0;
  const intercept = median(xs.map((x, i) => ys[i]! - slope * x));
  const sigma =
    quantile(
      xs.map((x, i) => Math.abs(ys[i]! - intercept - slope * x)),
      0.9,
    ) / 1.645;
  const mx = mean(xsIn);
  const sxx = sxxOf(xsIn, mx);
  return {
    method: 'theil-sen',
    slope,
    intercept,
    sigma,
    slopeError: sxx > 0 ? sigma / Math.sqrt(sxx) : Infinity,
    n: xsIn.length,
    meanX: mx,
    sxx,
  };
}

/** Every (n / max)-th point, so that at most `max` remain, in order. */
export function thin(xs: readonly number[], ys: readonly number[], max: number) {
  if (xs.length <= max) return { xs, ys };
  const step = xs.length / max;
  const ox: number[] = [];
  const oy: number[] = [];
  for (let k = 0; k < max; k++) {
    const i = Math.floor(k * step);
    ox.push(xs[i]!);
    oy.push(ys[i]!);
  }
  return { xs: ox, ys: oy };
}

export function predict(fit: Fit, x: number): number {
  return fit.intercept + fit.slope * x;
}

/** Residuals y − trend, in the order of the points. */
export function residuals(fit: Fit, xs: readonly number[], ys: readonly number[]): number[] {
  return xs.map((x, i) => ys[i]! - predict(fit, x));
}

/**
 * Half-width of the prediction interval for one new observation at x:
 * z · σ · √(1 + k · (1/n + (x − x̄)² / Sxx)).
 * k = 1 is the textbook interval for independent residuals. With autocorrelated residuals the
 * trend's own uncertainty (the 1/n and extrapolation terms) is k = (1 + ρ)/(1 − ρ) times larger,
 * because n correlated points hold only n/k points' worth of information (decision 0067).
 */
export function predictionHalfWidth(fit: Fit, x: number, z: number, k = 1): number {
  const extra = fit.sxx > 0 ? (x - fit.meanX) ** 2 / fit.sxx : 0;
  return z * fit.sigma * Math.sqrt(residualBias(fit.n, k) * (1 + k * (1 / fit.n + extra)));
}

/**
 * Residuals of a fitted line understate the noise: E[RSS] ≈ σ²(n − 2k), the two fitted
 * parameters costing k points each when the residuals are correlated (k = 1: the usual n − 2).
 * For k = 1 the fit's σ already divides by n − 2, so only the extra (n − 2)/(n − 2k) is applied;
 * capped at 4 (σ at most doubled) for a window worth only a few independent points.
 */
function residualBias(n: number, k: number): number {
  if (k <= 1) return 1;
  return Math.min(Math.max(n - 2, 1) / Math.max(n - 2 * k, 1), 9);
}
