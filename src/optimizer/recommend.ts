/**
 * Right-sizing (issue 12 item 4), pure: the caller reads the evidence from the history.
 *
 * Memory = peak working set over the window × (1 + margin), never from less history than
 * `minHistoryMs` and never below the kind's floor. CPU = p95 of usage, with no CPU limit unless
 * the operator asks for one (a CPU limit throttles bursts that harm no one on an idle host; the
 * reasoning of Robusta KRR). The seed's stepwise policy is a second mode: used under 30 % of the
 * limit for the whole window → lower by 25 % (not below the recommendation); over 85 % → raise
 * by 25 %; at most one step per target per day.
 *
 * The floors are the doctor's table (src/ops/limits/floors.ts), imported, never copied.
 */
import { MEMORY_FLOORS, MIB as MiB } from '../ops/limits/floors.js';

export { MEMORY_FLOORS };

export interface Evidence {
  /** First to last sample in the window. */
  historyMs: number;
  samples: number;
  peakBytes: number;
  /** p95 of CPU use in cores, when CPU was sampled. */
  cpuP95?: number;
}

export interface RecommendOptions {
  margin: number;
  minHistoryMs: number;
  kind: string;
  floors?: Readonly<Record<string, number>>;
  /** Set a CPU limit at p95 × (1 + margin) instead of none. */
  cpuLimit?: boolean;
}

export type Recommendation =
  | { status: 'not-enough-evidence'; reason: string }
  | {
      status: 'ok';
      memoryBytes: number;
      /** Why this number: the peak and margin, or the floor. */
      basis: 'peak' | 'floor';
      cpuRequestCores: number | null;
      cpuLimitCores: number | null;
    };

export function recommend(e: Evidence, o: RecommendOptions): Recommendation {
  if (e.historyMs < o.minHistoryMs || e.samples < 2)
    return {
      status: 'not-enough-evidence',
      reason: `history spans ${Math.round(e.historyMs / 60_000)} min; at least ${Math.round(o.minHistoryMs / 60_000)} min is needed`,
    };
  const floors: Readonly<Record<string, number>> = o.floors ?? MEMORY_FLOORS;
  const floor = floors[o.kind] ?? floors.default ?? 0;
  const fromPeak = Math.ceil((e.peakBytes * (1 + o.margin)) / MiB) * MiB;
  const cpu = e.cpuP95 ?? null;
  return {
    status: 'ok',
    memoryBytes: Math.max(fromPeak, floor),
    basis: fromPeak >= floor ? 'peak' : 'floor',
    cpuRequestCores: cpu,
    cpuLimitCores: o.cpuLimit && cpu !== null ? Math.max(0.01, cpu * (1 + o.margin)) : null,
  };
}

export interface StepInput {
  currentLimitBytes: number;
  /** Highest use over the whole window, bytes (under 30 % of the limit means the whole window was). */
  peakBytes: number;
  recommendationBytes: number;
  /** When this target was last stepped (ms), if ever. */
  lastStepAt?: number;
  now: number;
}

export type Step =
  { action: 'lower' | 'raise'; toBytes: number; reason: string } | { action: 'none'; reason: string };

export const STEP_LOW = 0.3;
export const STEP_HIGH = 0.85;
export const STEP_FACTOR = 0.25;
export const STEP_EVERY_MS = 24 * 3_600_000;

/** The seed's policy: one 25 % step toward fit, at most once a day per target. */
export function stepwise(s: StepInput): Step {
  const used = s.peakBytes / s.currentLimitBytes;
  if (s.lastStepAt !== undefined && s.now - s.lastStepAt < STEP_EVERY_MS)
    return { action: 'none', reason: 'stepped less than a day ago' };
  if (used > STEP_HIGH)
    return {
      action: 'raise',
      toBytes: Math.round(s.currentLimitBytes * (1 + STEP_FACTOR)),
      reason: `peak is ${(used * 100).toFixed(0)} % of the limit (over ${STEP_HIGH * 100} %)`,
    };
  if (used < STEP_LOW) {
    const to = Math.max(Math.round(s.currentLimitBytes * (1 - STEP_FACTOR)), s.recommendationBytes);
    if (to >= s.currentLimitBytes) return { action: 'none', reason: 'already at the recommendation' };
    return {
      action: 'lower',
      toBytes: to,
      reason: `peak is ${(used * 100).toFixed(0)} % of the limit for the whole window (under ${STEP_LOW * 100} %)`,
    };
  }
  return { action: 'none', reason: `peak is ${(used * 100).toFixed(0)} % of the limit` };
}
