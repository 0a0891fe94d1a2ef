import { describe, expect, it } from 'vitest';
import { DoctorConfigSchema } from '../../../src/config/schema.js';
import {
  DEFAULT_POLICY,
  GIB,
  KIND_LIMITS,
  MIB,
  chooseMemoryLimit,
  guessKind,
  insufficiency,
  recordSample,
  type UsageHistory,
} from '../../../src/ops/limits/floors.js';
import { kindDefaultsFrom, policyFrom } from '../../../src/ops/limits/evidence.js';

const HOUR = 3600_000;
const idle = (samples: number, spanMs: number, peak = 315_392): UsageHistory => ({
  peakBytes: peak,
  firstAt: 0,
  lastAt: spanMs,
  samples,
});

describe('limits from evidence', () => {
  it('never derives a limit from a few idle samples: redis and ollama get their kind default', () => {
    // The issue: "observed peak 315392 B × 1.5" gave redis and ollama 32 MiB.
    const redis = chooseMemoryLimit('cache', idle(3, 90_000));
    expect(redis).toMatchObject({ bytes: 256 * MIB, source: 'kind-default' });
    expect(redis.basis).toMatch(/only 3 sample\(s\) over 2 min \(needs 24 over 24 h\)/);
    expect(chooseMemoryLimit('llm', idle(3, 90_000))).toMatchObject({
      bytes: 4 * GIB,
      source: 'kind-default',
    });
    expect(chooseMemoryLimit('database', undefined).basis).toContain('no usage history');
  });

  it('needs both the window and the sample count', () => {
    expect(insufficiency(idle(1000, 23 * HOUR), DEFAULT_POLICY)).toMatch(/needs 24 over 24 h/);
    expect(insufficiency(idle(10, 48 * HOUR), DEFAULT_POLICY)).toMatch(/only 10 sample/);
    expect(insufficiency(idle(24, 24 * HOUR), DEFAULT_POLICY)).toBeNull();
  });

  it('with enough history: peak × headroom, never below the kind floor or the global floor', () => {
    const busy = chooseMemoryLimit('default', idle(100, 30 * HOUR, 400 * MIB));
    expect(busy).toMatchObject({ bytes: 600 * MIB, source: 'history' });
    const tiny = chooseMemoryLimit('cache', idle(100, 30 * HOUR, 1 * MIB));
    expect(tiny.bytes).toBe(KIND_LIMITS.cache.floorBytes);
    expect(tiny.basis).toContain('raised to the cache floor');
    expect(chooseMemoryLimit('llm', idle(100, 30 * HOUR, 100 * MIB)).bytes).toBe(2 * GIB);
    const strict = { ...DEFAULT_POLICY, globalFloorBytes: 300 * MIB };
    expect(chooseMemoryLimit('cache', idle(100, 30 * HOUR, 1 * MIB), strict).bytes).toBe(300 * MIB);
  });

  it('guesses kinds from service names and images', () => {
    expect(guessKind('ollama', 'ollama/ollama:latest')).toBe('llm');
    expect(guessKind('models', 'vllm/vllm-openai')).toBe('llm');
    expect(guessKind('db', 'postgres:16')).toBe('database');
    expect(guessKind('cache', 'redis:7')).toBe('cache');
    expect(guessKind('web', 'node:20-alpine')).toBe('node');
    expect(guessKind('agent-runner', 'busybox')).toBe('agent');
    expect(guessKind('thing', 'busybox')).toBe('default');
  });

  it('records samples into a history with its span and count', () => {
    let h = recordSample(undefined, 10, 1000);
    h = recordSample(h, 30, 5000);
    h = recordSample(h, 20, 3000);
    expect(h).toEqual({ peakBytes: 30, firstAt: 1000, lastAt: 5000, samples: 3 });
  });

  it('takes its policy and per-kind defaults from doctor config', () => {
    const config = DoctorConfigSchema.parse({
      limitFloor: '200M',
      limitHistory: { minHours: 1, minSamples: 5 },
      defaultLimits: { cache: { memory: '512M', cpus: 1 } },
    });
    const policy = policyFrom(config);
    expect(policy).toMatchObject({ minHistoryMs: HOUR, minSamples: 5, globalFloorBytes: 200 * MIB });
    expect(chooseMemoryLimit('cache', idle(2, 60_000), policy, kindDefaultsFrom(config)).bytes).toBe(
      512 * MIB,
    );
    expect(chooseMemoryLimit('cache', idle(10, 2 * HOUR, 1 * MIB), policy).bytes).toBe(200 * MIB);
  });
});
