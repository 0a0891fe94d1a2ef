import type { OptimizerConfig } from '../../config/schema.js';
import { formatSpan, mib } from '../../ops/limits/floors.js';
import type { PlanMode } from '../plan-schema.js';
import { recommend, stepwise, STEP_EVERY_MS } from '../recommend.js';
import type { SeriesEvidence } from './evidence.js';

export type RecommendConfig = OptimizerConfig['recommend'];

/** A proposed memory value with its one-sentence reason, or why there is none. */
export type MemoryDecision =
  | { kind: 'change'; proposed: number; reason: string }
  | { kind: 'insufficient'; reason: string }
  | { kind: 'keep' };

export interface MemoryInput {
  evidence: SeriesEvidence | undefined;
  /** Current limit (bytes), null when there is none. */
  current: number | null;
  /** Floor kind: database, cache, llm, agent, node, monitoring, mcp, default. */
  floorKind: string;
  mode: PlanMode;
  lastStepAt?: number;
  now: number;
  what: string;
}

function notEnough(e: SeriesEvidence | undefined, c: RecommendConfig): string | null {
  if (!e) return 'no memory samples in the window';
  if (e.historyMs < c.minHistoryMs || e.samples < c.minSamples)
    return `only ${e.samples} sample(s) over ${formatSpan(e.historyMs)}; needs ${c.minSamples} over ${formatSpan(c.minHistoryMs)}`;
  return null;
}

/** Right-size or step one memory limit from its evidence (formulas: docs/optimizer.md). */
export function decideMemory(i: MemoryInput, c: RecommendConfig): MemoryDecision {
  const why = notEnough(i.evidence, c);
  if (why) return { kind: 'insufficient', reason: why };
  const e = i.evidence!;
  const rec = recommend(
    { historyMs: e.historyMs, samples: e.samples, peakBytes: e.peak },
    { margin: c.margin, minHistoryMs: c.minHistoryMs, kind: i.floorKind },
  );
  if (rec.status !== 'ok') return { kind: 'insufficient', reason: rec.reason };
  const span = formatSpan(e.historyMs);
  if (i.mode === 'rightsize') {
    if (i.current !== null && Math.abs(rec.memoryBytes - i.current) <= c.minChange * i.current)
      return { kind: 'keep' };
    const basis =
      rec.basis === 'peak'
        ? `peak ${mib(e.peak)} over ${span} plus ${Math.round(c.margin * 100)} % margin`
        : `peak ${mib(e.peak)} over ${span} is under the ${i.floorKind} floor, so the floor`;
    return {
      kind: 'change',
      proposed: rec.memoryBytes,
      reason: `${i.what} memory ${i.current === null ? 'unlimited' : mib(i.current)} → ${mib(rec.memoryBytes)}: ${basis}.`,
    };
  }
  if (i.current === null)
    return { kind: 'insufficient', reason: 'no memory limit to step from; the rightsize plan proposes one' };
  const step = stepwise({
    currentLimitBytes: i.current,
    peakBytes: e.peak,
    recommendationBytes: rec.memoryBytes,
    ...(i.lastStepAt !== undefined ? { lastStepAt: i.lastStepAt } : {}),
    now: i.now,
  });
  if (step.action === 'none') {
    if (i.lastStepAt !== undefined && i.now - i.lastStepAt < STEP_EVERY_MS)
      return {
        kind: 'insufficient',
        reason: `changed ${formatSpan(i.now - i.lastStepAt)} ago; at most one step per day (next after ${new Date(i.lastStepAt + STEP_EVERY_MS).toISOString()})`,
      };
    return { kind: 'keep' };
  }
  return {
    kind: 'change',
    proposed: Math.ceil(step.toBytes / (1024 * 1024)) * 1024 * 1024,
    reason: `${i.what} memory ${mib(i.current)} → ${step.action} by 25 %: ${step.reason} over ${span}.`,
  };
}

/** A CPU limit at p95 × (1 + margin), only when optimizer.recommend.cpuLimit asks for one. */
export function decideCpus(
  e: SeriesEvidence | undefined,
  current: number | null,
  c: RecommendConfig,
): { proposed: number; reason: string } | undefined {
  if (!c.cpuLimit || !e || notEnough(e, c)) return undefined;
  const proposed = Math.max(0.01, Math.ceil(e.p95 * (1 + c.margin) * 100) / 100);
  if (current !== null && Math.abs(proposed - current) <= c.minChange * current) return undefined;
  return {
    proposed,
    reason: `CPU p95 ${e.p95.toFixed(2)} cores over ${formatSpan(e.historyMs)} plus ${Math.round(c.margin * 100)} % margin.`,
  };
}

export interface OllamaInput {
  /** Peak memory of each model seen loaded in the window. */
  modelPeaks: ReadonlyArray<{ model: string; peak: number }>;
  hostMemoryBytes: number;
  /** The Ollama container's memory limit, when it has one. */
  containerLimitBytes: number | null;
}

/**
 * OLLAMA_MAX_LOADED_MODELS and OLLAMA_NUM_PARALLEL from observed model sizes: the budget is
 * host memory × ollamaMemoryShare (or the container's limit when lower); as many of the largest
 * model as fit stay loaded (at least 1, at most the number of models seen), and each extra
 * parallel slot is budgeted at a quarter of the largest model's size (its context's KV cache).
 */
export function decideOllama(
  i: OllamaInput,
  c: RecommendConfig,
): { maxLoaded: number; parallel: number; reason: string } {
  const budget = Math.min(
    i.hostMemoryBytes * c.ollamaMemoryShare,
    i.containerLimitBytes ?? Number.POSITIVE_INFINITY,
  );
  const largest = Math.max(...i.modelPeaks.map((m) => m.peak));
  const maxLoaded = Math.max(1, Math.min(i.modelPeaks.length, Math.floor(budget / largest)));
  const leftover = Math.max(0, budget - maxLoaded * largest);
  const parallel = Math.max(1, Math.min(c.ollamaMaxParallel, 1 + Math.floor(leftover / (largest / 4))));
  return {
    maxLoaded,
    parallel,
    reason: `largest model ${mib(largest)} of ${i.modelPeaks.length} seen; budget ${mib(budget)} (${Math.round(c.ollamaMemoryShare * 100)} % of host memory${i.containerLimitBytes !== null ? ', capped by the container limit' : ''})`,
  };
}
