import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../src/config/schema.js';
import { decideCpus, decideMemory, decideOllama } from '../../../src/optimizer/index.js';

const MiB = 1024 ** 2;
const GiB = 1024 * MiB;
const DAY = 86_400_000;
const c = ConfigSchema.parse({}).optimizer.recommend;
const evidence = (peak: number, p95 = peak) => ({
  series: 's',
  samples: 1000,
  historyMs: 2 * DAY,
  peak,
  p95,
});
const base = { floorKind: 'default', mode: 'rightsize' as const, now: 10 * DAY, what: 'limit' };

describe('decideMemory', () => {
  it('keeps a limit within minChange of the recommendation', () => {
    // Recommendation ⌈400 × 1.15⌉ = 460 MiB; 470 MiB is within 5 %.
    expect(decideMemory({ ...base, evidence: evidence(400 * MiB), current: 470 * MiB }, c)).toEqual({
      kind: 'keep',
    });
    expect(decideMemory({ ...base, evidence: evidence(400 * MiB), current: 600 * MiB }, c)).toMatchObject({
      kind: 'change',
      proposed: 460 * MiB,
    });
  });

  it('gives no number without enough history', () => {
    const short = { ...evidence(400 * MiB), historyMs: DAY - 1 };
    expect(decideMemory({ ...base, evidence: short, current: null }, c)).toMatchObject({
      kind: 'insufficient',
    });
    expect(decideMemory({ ...base, evidence: undefined, current: null }, c)).toEqual({
      kind: 'insufficient',
      reason: 'no memory samples in the window',
    });
  });

  it('in step mode needs a limit to step from, and holds a step for a day', () => {
    const step = { ...base, mode: 'step' as const };
    expect(decideMemory({ ...step, evidence: evidence(100 * MiB), current: null }, c)).toMatchObject({
      kind: 'insufficient',
      reason: expect.stringMatching(/no memory limit to step from/),
    });
    const held = decideMemory(
      { ...step, evidence: evidence(100 * MiB), current: 1024 * MiB, lastStepAt: 10 * DAY - 3_600_000 },
      c,
    );
    expect(held).toMatchObject({
      kind: 'insufficient',
      reason: expect.stringMatching(/at most one step per day/),
    });
  });
});

describe('decideCpus', () => {
  it('proposes a CPU limit only when configured: p95 × (1 + margin)', () => {
    expect(decideCpus(evidence(2, 0.4), null, c)).toBeUndefined();
    expect(decideCpus(evidence(2, 0.4), null, { ...c, cpuLimit: true })).toMatchObject({ proposed: 0.46 });
  });
});

describe('decideOllama', () => {
  it('keeps at least one model loaded even when the largest does not fit the budget', () => {
    const d = decideOllama(
      {
        modelPeaks: [{ model: 'big', peak: 20 * GiB }],
        hostMemoryBytes: 16 * GiB,
        containerLimitBytes: null,
      },
      c,
    );
    expect([d.maxLoaded, d.parallel]).toEqual([1, 1]);
  });

  it('caps the budget by the container limit and NUM_PARALLEL by ollamaMaxParallel', () => {
    const small = [{ model: 'a', peak: 1 * GiB }];
    expect(
      decideOllama({ modelPeaks: small, hostMemoryBytes: 64 * GiB, containerLimitBytes: null }, c),
    ).toMatchObject({
      maxLoaded: 1,
      parallel: 4,
    });
    // 2 GiB container: 1 loaded, 1 GiB left at 256 MiB a slot → 1 + 4 = 5, capped to 4; at 1.5 GiB: 1 + 2 = 3.
    expect(
      decideOllama({ modelPeaks: small, hostMemoryBytes: 64 * GiB, containerLimitBytes: 1.5 * GiB }, c)
        .parallel,
    ).toBe(3);
  });
});
