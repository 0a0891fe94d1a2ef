import { describe, expect, it } from 'vitest';
import { MEMORY_FLOORS, recommend, stepwise } from '../../../src/optimizer/index.js';

const MiB = 1024 ** 2;
const H = 3_600_000;
const DAY = 24 * H;
const opts = { margin: 0.15, minHistoryMs: DAY, kind: 'default' };

describe('recommend', () => {
  it('memory = peak × (1 + margin), CPU = p95 with no limit unless asked', () => {
    const r = recommend({ historyMs: 7 * DAY, samples: 1000, peakBytes: 400 * MiB, cpuP95: 0.35 }, opts);
    expect(r).toEqual({
      status: 'ok',
      memoryBytes: 460 * MiB,
      basis: 'peak',
      cpuRequestCores: 0.35,
      cpuLimitCores: null,
    });
    const limited = recommend(
      { historyMs: 7 * DAY, samples: 1000, peakBytes: 400 * MiB, cpuP95: 0.4 },
      { ...opts, cpuLimit: true },
    );
    expect(limited.status === 'ok' && limited.cpuLimitCores).toBeCloseTo(0.46, 10);
  });

  it('never below the kind’s floor: an idle redis does not get 32 MiB', () => {
    const r = recommend({ historyMs: 2 * DAY, samples: 500, peakBytes: 8 * MiB }, { ...opts, kind: 'cache' });
    expect(r).toMatchObject({ status: 'ok', memoryBytes: MEMORY_FLOORS.cache, basis: 'floor' });
  });

  it('never from less history than configured', () => {
    const r = recommend({ historyMs: 2 * H, samples: 480, peakBytes: 100 * MiB }, opts);
    expect(r).toEqual({
      status: 'not-enough-evidence',
      reason: 'history spans 120 min; at least 1440 min is needed',
    });
  });
});

describe('stepwise (30 / 85 %)', () => {
  const now = Date.parse('2026-11-10T00:00:00Z');
  it('lowers by 25 % when the peak stayed under 30 %, not below the recommendation', () => {
    expect(
      stepwise({ currentLimitBytes: 1000 * MiB, peakBytes: 200 * MiB, recommendationBytes: 230 * MiB, now }),
    ).toMatchObject({
      action: 'lower',
      toBytes: 750 * MiB,
    });
    expect(
      stepwise({ currentLimitBytes: 300 * MiB, peakBytes: 80 * MiB, recommendationBytes: 250 * MiB, now }),
    ).toMatchObject({
      action: 'lower',
      toBytes: 250 * MiB,
    });
  });

  it('raises by 25 % over 85 %, and does nothing in between', () => {
    expect(
      stepwise({ currentLimitBytes: 400 * MiB, peakBytes: 380 * MiB, recommendationBytes: 437 * MiB, now }),
    ).toMatchObject({
      action: 'raise',
      toBytes: 500 * MiB,
    });
    expect(
      stepwise({ currentLimitBytes: 400 * MiB, peakBytes: 200 * MiB, recommendationBytes: 230 * MiB, now })
        .action,
    ).toBe('none');
  });

  it('steps a target at most once a day', () => {
    const base = { currentLimitBytes: 400 * MiB, peakBytes: 380 * MiB, recommendationBytes: 437 * MiB };
    expect(stepwise({ ...base, lastStepAt: now - 23 * H, now })).toEqual({
      action: 'none',
      reason: 'stepped less than a day ago',
    });
    expect(stepwise({ ...base, lastStepAt: now - 25 * H, now }).action).toBe('raise');
  });
});
