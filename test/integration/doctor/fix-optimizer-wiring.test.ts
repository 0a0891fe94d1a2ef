import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Platform } from '../../../src/app.js';
import { fakeContainer, MemoryDocker } from '../../../src/ops/index.js';
import { ADMIN_PASSWORD, startTestPlatform } from '../../helpers/platform.js';
import { writeFlatHistory } from '../../helpers/resource-history.js';

/*
 * The wiring inside `sutazai up` (src/app.ts) that hands the optimizer's recommendations to the
 * doctor's fix route: the whole platform on an in-memory engine with two containers without a
 * memory limit. `remembered` has two days of history in the platform's store (peak 300 MiB), so
 * its limit is the optimizer's 300 × 1.15 = 345 MiB; `forgotten` has none, so it gets the
 * per-kind default (512 MiB). Removing the wiring makes both 512 MiB and this test fail.
 */
const MiB = 1024 ** 2;
let platform: Platform;

beforeAll(async () => {
  const docker = new MemoryDocker();
  docker.containers.push(
    fakeContainer({ id: 'r'.repeat(64), name: 'remembered' }),
    fakeContainer({ id: 'f'.repeat(64), name: 'forgotten' }),
  );
  platform = await startTestPlatform({ SUTAZAI_OPTIMIZER: 'false' }, { docker });
  await writeFlatHistory(
    platform.db,
    { 'container:memory_bytes:remembered': 300 * MiB },
    { until: Date.now(), spanMs: 48 * 3_600_000, everyMs: 3_600_000 },
  );
}, 180_000);
afterAll(async () => platform?.close());

it(
  'limits a container from its history when there is one, else from the per-kind default',
  { timeout: 120_000 },
  async () => {
    const login = await platform.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: ADMIN_PASSWORD },
    });
    const res = await platform.app.inject({
      method: 'POST',
      url: '/api/v1/doctor/fix',
      headers: { authorization: `Bearer ${login.json().access_token}` },
      payload: { only: ['no-memory-limit'] },
    });
    expect(res.statusCode, res.body).toBe(200);
    const actions = (res.json() as { plan: { actions: Array<Record<string, unknown>> } }).plan.actions;
    const limitOf = (name: string) => actions.find((a) => a.kind === 'set-limits' && a.container === name);
    expect(limitOf('remembered')).toMatchObject({ memory: 345 * MiB, sources: { memory: 'optimizer' } });
    expect(limitOf('forgotten')).toMatchObject({ memory: 512 * MiB, sources: { memory: 'kind-default' } });
  },
);
