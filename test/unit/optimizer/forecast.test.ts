import { describe, expect, it } from 'vitest';
import {
  backtest,
  forecastSeries,
  leastSquares,
  predictionHalfWidth,
  theilSen,
  type ForecastOptions,
} from '../../../src/optimizer/index.js';

const MiB = 1024 ** 2;
const T0 = Date.parse('2026-11-01T00:00:00Z');
const options: ForecastOptions = {
  horizonMs: 6 * 3_600_000,
  minHistoryMs: 2 * 3_600_000,
  minPoints: 30,
  maxRelativeError: 0.25,
  intervalZ: 1.96,
};

/** Deterministic noise in [-1, 1] (mulberry32), so failures reproduce. */
function noise(seed = 1): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

/** A sample every 15 s for `hours`, value f(seconds since start). */
function series(hours: number, f: (s: number) => number, stepS = 15) {
  const out: Array<{ t: number; v: number }> = [];
  for (let s = 0; s <= hours * 3600; s += stepS) out.push({ t: T0 + s * 1000, v: f(s) });
  return out;
}

describe('fits', () => {
  it('least squares and Theil–Sen recover the slope and intercept of an exact line', () => {
    const xs = [0, 1, 2, 3, 4, 5];
    const ys = xs.map((x) => 3 + 2 * x);
    for (const fit of [leastSquares(xs, ys), theilSen(xs, ys)]) {
      expect(fit.slope).toBeCloseTo(2, 10);
      expect(fit.intercept).toBeCloseTo(3, 10);
      expect(fit.sigma).toBeCloseTo(0, 10);
    }
  });

  it('an outlier moves least squares but not Theil–Sen', () => {
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const ys = xs.map((x) => 100 + x);
    ys[45] = 10_000; // one wild sample, late in the window
    const ts = theilSen(xs, ys);
    const ls = leastSquares(xs, ys);
    expect(ts.slope).toBeCloseTo(1, 10);
    expect(ts.intercept).toBeCloseTo(100, 10);
    expect(Math.abs(ls.slope - 1)).toBeGreaterThan(1);
  });

  it('the prediction interval widens away from the data and scales with z', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i);
    const next = noise(7);
    const fit = leastSquares(
      xs,
      xs.map((x) => x + next()),
    );
    const near = predictionHalfWidth(fit, 50, 1.96);
    const far = predictionHalfWidth(fit, 500, 1.96);
    expect(far).toBeGreaterThan(near);
    expect(predictionHalfWidth(fit, 50, 3.92)).toBeCloseTo(2 * near, 10);
  });
});

describe('forecastSeries', () => {
  it('a linear leak gives the right slope and time to exhaustion of its memory limit', () => {
    // 200 MiB growing 10 MiB per hour with ±2 MiB noise for 12 h; limit 512 MiB.
    const next = noise(3);
    const leak = series(12, (s) => 200 * MiB + (10 * MiB * s) / 3600 + 2 * MiB * next());
    const f = forecastSeries(
      'container:memory_bytes:leaky',
      leak,
      { bytes: 512 * MiB, source: 'memory-limit' },
      options,
    );
    expect(f.evidence.status).toBe('ok');
    if (f.evidence.status !== 'ok') return;
    expect(f.evidence.fits.theilSen.slopePerHour / MiB).toBeCloseTo(10, 0);
    // At 12 h the level is 320 MiB: 192 MiB to go at 10 MiB/h is 19.2 h.
    const hours = f.evidence.exhaustion.inSeconds! / 3600;
    expect(hours).toBeGreaterThan(19.2 - 0.3);
    expect(hours).toBeLessThan(19.2 + 0.3);
    // The interval at +6 h holds the true value (380 MiB).
    expect(f.evidence.horizon.lower).toBeLessThan(380 * MiB);
    expect(f.evidence.horizon.upper).toBeGreaterThan(380 * MiB);
    expect(f.evidence.horizon.predicted / MiB).toBeCloseTo(380, 0);
  });

  it('a flat series has no exhaustion time', () => {
    const next = noise(5);
    const flat = series(12, () => 300 * MiB + 5 * MiB * next());
    const f = forecastSeries(
      'container:memory_bytes:flat',
      flat,
      { bytes: 512 * MiB, source: 'memory-limit' },
      options,
    );
    expect(f.evidence.status).toBe('ok');
    if (f.evidence.status !== 'ok') return;
    expect(f.evidence.exhaustion.at).toBeNull();
    expect(f.evidence.exhaustion.reason).toBe('no significant upward trend');
  });

  it('too little history is not enough evidence, with the reason', () => {
    const short = series(0.5, (s) => 100 * MiB + s);
    const f = forecastSeries('container:memory_bytes:new', short, null, options);
    expect(f.evidence).toEqual({
      status: 'not-enough-evidence',
      reason: 'history spans 30 min; at least 2.0 h is needed',
    });
    const few = forecastSeries('container:memory_bytes:new', short.slice(0, 5), null, options);
    expect(few.evidence.status).toBe('not-enough-evidence');
    expect(few.evidence.status === 'not-enough-evidence' && few.evidence.reason).toMatch(/5 points/);
  });

  it('a series the line does not explain is not enough evidence (poor fit)', () => {
    // CPU that jumps between idle and busy: a line says nothing about it.
    const bursty = series(12, (s) => (Math.floor(s / 600) % 2 ? 1.8 : 0.05));
    const f = forecastSeries('container:cpu_cores:bursty', bursty, null, options);
    expect(f.evidence.status).toBe('not-enough-evidence');
    expect(f.evidence.status === 'not-enough-evidence' && f.evidence.reason).toMatch(/poorly/);
  });

  it('a series already over its ceiling is exhausted now', () => {
    const over = series(4, (s) => 600 * MiB + s);
    const f = forecastSeries(
      'container:memory_bytes:over',
      over,
      { bytes: 512 * MiB, source: 'memory-limit' },
      options,
    );
    expect(f.evidence.status === 'ok' && f.evidence.exhaustion.inSeconds).toBe(0);
  });
});

describe('backtest', () => {
  it('scores a synthetic leak with a small error and covers the truth with its interval', () => {
    const next = noise(11);
    const leak = series(24, (s) => 200 * MiB + (10 * MiB * s) / 3600 + 2 * MiB * next(), 60);
    const r = backtest('container:memory_bytes:leaky', leak, {
      ...options,
      windowMs: 6 * 3_600_000,
      stepMs: 1_800_000,
      toleranceMs: 120_000,
    });
    expect(r.scored).toBeGreaterThan(20);
    expect(r.mape!).toBeLessThan(2);
    expect(r.coverage!).toBeGreaterThan(0.9);
  });

  it('reports refusals rather than scores when the history is too short', () => {
    const r = backtest(
      'x',
      series(1, () => 1),
      { ...options, windowMs: 3_600_000, stepMs: 600_000, toleranceMs: 60_000 },
    );
    expect(r).toMatchObject({ scored: 0, mape: null, coverage: null });
  });
});
