import { median } from './fit.js';

/**
 * What the residuals of a trend say beyond their spread (decision 0067): how much consecutive
 * residuals move together, and how far the level wanders around the trend.
 */

/**
 * Lag-1 autocorrelation of residuals in time order, clamped to [0, 1): 0 for independent noise,
 * near 1 for a level that drifts slowly around the trend. Residuals are first clipped to ±3
 * robust σ so that one spike (which Theil–Sen ignores) does not hide the correlation of the rest.
 * The estimate is corrected for its small-sample bias.
 * A negative value is read as 0: it would narrow the interval, and short windows bias ρ downwards.
 */
export function lag1Autocorrelation(residuals: readonly number[], sigma: number): number {
  const n = residuals.length;
  if (n < 3) return 0;
  const c = 3 * sigma;
  const r = c > 0 ? residuals.map((e) => Math.max(-c, Math.min(c, e))) : [...residuals];
  const m = r.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    den += (r[i]! - m) ** 2;
    if (i > 0) num += (r[i]! - m) * (r[i - 1]! - m);
  }
  if (!(den > 0)) return 0;
  // The sample estimate is biased low by about (1 + 4ρ)/n (Marriott & Pope 1954): add it back.
  const raw = num / den;
  return Math.min(Math.max(raw + (1 + 4 * raw) / n, 0), 0.999);
}

/**
 * The effective-sample-size factor (1 + ρ)/(1 − ρ) of an AR(1) residual: n points with lag-1
 * correlation ρ carry about as much information about the trend as n(1 − ρ)/(1 + ρ) independent
 * ones. Capped at n (the window is worth at least one independent point).
 */
export function varianceInflation(rho: number, n: number): number {
  return Math.min((1 + rho) / (1 - rho), Math.max(n, 1));
}

/** Points the running median spans: a fiftieth of the window, at least 5 (odd). */
function runningWidth(n: number): number {
  const w = Math.max(5, Math.floor(n / 50));
  return w % 2 ? w : w + 1;
}

/**
 * How far the level moves around the trend within the window: the range (max − min) of the
 * running median of the residuals (in time order), over a fiftieth of the window. The running
 * median ignores isolated spikes (fewer than half its width) and shrinks noise, but follows a
 * level shift or a burst that lasts; for a series that jumps between two levels it is the
 * distance between them.
 */
export function levelMovement(residuals: readonly number[]): number {
  const ys = residuals;
  const w = runningWidth(ys.length);
  if (ys.length < w) return 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i + w <= ys.length; i++) {
    const m = median(ys.slice(i, i + w));
    lo = Math.min(lo, m);
    hi = Math.max(hi, m);
  }
  return hi - lo;
}
