import { report } from './lib.js';
/**
 * Backtest figures on synthetic series whose truth is known: a 24 h linear leak (10 MiB/h from
 * 200 MiB, ±2 MiB uniform noise, one sample a minute), the same with 1 % of samples spiking to
 * 4×, a flat series with ±5 % noise, the leak with AR(1) noise instead (lag-1 correlation 0.95 a
 * minute, 4 MiB standard deviation: a level drifting around the trend, as memory does), and host
 * memory at 1 GiB with bursts to 3–6 GiB for 5–15 min every 1–2.5 h. Forecast settings: 6 h window, 1 h horizon, 2 h minimum
 * history, an origin every 30 min. (A recorded trace: `sutazai optimize backtest`.)
 *
 *   npx tsx bench/optimizer-backtest.ts
 */
import { backtest } from '../src/optimizer/index.js';

const MiB = 1024 ** 2;
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function series(f: (s: number, r: () => number) => number, seed: number) {
  const r = rng(seed);
  const out: Array<{ t: number; v: number }> = [];
  for (let s = 0; s <= 24 * 3600; s += 60) out.push({ t: s * 1000, v: f(s, r) });
  return out;
}
const options = {
  windowMs: 6 * 3_600_000,
  horizonMs: 3_600_000,
  minHistoryMs: 2 * 3_600_000,
  minPoints: 30,
  maxRelativeError: 0.25,
  maxLevelShift: 0.2,
  intervalZ: 1.96,
  stepMs: 1_800_000,
  toleranceMs: 120_000,
};
const leak = (s: number, r: () => number) => 200 * MiB + (10 * MiB * s) / 3600 + 2 * MiB * (2 * r() - 1);
function gaussian(r: () => number) {
  return Math.sqrt(-2 * Math.log(1 - 0.999999 * r())) * Math.cos(2 * Math.PI * r());
}
function ar1Leak(phi: number) {
  let e = 0;
  return (s: number, r: () => number) => {
    e = phi * e + 4 * MiB * Math.sqrt(1 - phi * phi) * gaussian(r);
    return 200 * MiB + (10 * MiB * s) / 3600 + e;
  };
}
function bursts() {
  let level = 1024 * MiB;
  let until = 0;
  return (s: number, r: () => number) => {
    if (s >= until) {
      const burst = level === 1024 * MiB;
      level = burst ? (3 + 3 * r()) * 1024 * MiB : 1024 * MiB;
      until = s + (burst ? 300 + 600 * r() : 3600 + 5400 * r());
    }
    return level + 20 * MiB * (2 * r() - 1);
  };
}
const cases = {
  leak: series(leak, 1),
  'leak+spikes': series((s, r) => (r() < 0.01 ? 4 : 1) * leak(s, r), 2),
  flat: series((_s, r) => 300 * MiB * (1 + 0.05 * (2 * r() - 1)), 3),
  'leak+ar1': series(ar1Leak(0.95), 4),
  bursty: series(bursts(), 5),
};
for (const [name, points] of Object.entries(cases)) {
  const b = backtest(name, points, options);
  report(`optimizer-backtest ${name}`, {
    scored: b.scored,
    refused: b.refused,
    mape_percent: b.mape ?? NaN,
    coverage_percent: (b.coverage ?? NaN) * 100,
  });
}
