import { describe, expect, it, vi } from 'vitest';
import type * as Optimizer from '../../../src/optimizer/index.js';
import { startTestPlatform } from '../../helpers/platform.js';

const started = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../../src/optimizer/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof Optimizer>();
  return {
    ...real,
    startResourceSampler: (...args: Parameters<typeof real.startResourceSampler>) => {
      started.count++;
      return real.startResourceSampler(...args);
    },
  };
});

describe('which processes sample', () => {
  it('the API process runs the sampler; a worker-only process does not; the config can turn it off', async () => {
    for (const [role, env, expected] of [
      ['worker', {}, 0],
      ['all', { SUTAZAI_OPTIMIZER: 'false' }, 0],
      ['api', {}, 1],
    ] as const) {
      started.count = 0;
      const platform = await startTestPlatform(env, { role });
      await platform.close();
      expect(started.count, `${role} ${JSON.stringify(env)}`).toBe(expected);
    }
  }, 180_000);
});
