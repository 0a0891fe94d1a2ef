import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../src/app.js';
import { SampleWriter } from '../../../src/optimizer/index.js';
import { tempRoot, writeTopology } from '../../helpers/system-tree.js';
import { injectAdminHeaders, startTestPlatform } from '../../helpers/platform.js';

/*
 * GET /api/v1/optimizer/placement over a synthetic history written into the platform's database
 * (the sampler is off so nothing else writes), a fixture /sys with 1 socket × 2 cores, and a
 * Docker host where nothing listens: the answer is known.
 */
let platform: Platform;
let auth: Record<string, string>;

beforeAll(async () => {
  const sys = path.join(tempRoot(), 'sys');
  writeTopology(sys, 1, 2, 1);
  platform = await startTestPlatform({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, {}, (config) => {
    config.optimizer.enabled = false;
    config.optimizer.sysRoot = sys;
  });
  const writer = new SampleWriter(platform.db, 100);
  const now = Date.now();
  // 40 samples a minute apart, the newest 30 s old: CPU 0 busy 90 %, CPU 1 busy 10 %, ollama using 0.9 cores.
  for (let i = 0; i < 40; i++)
    await writer.write(now - (40 - i) * 60_000 + 30_000, [
      { series: 'host:cpu_busy:cpu0', value: 0.9 },
      { series: 'host:cpu_busy:cpu1', value: 0.1 },
      { series: 'container:cpu_cores:ollama', value: 0.9 },
    ]);
  auth = await injectAdminHeaders(platform);
});
afterAll(async () => platform?.close());

const get = (url: string) => platform.app.inject({ method: 'GET', url, headers: auth });

describe('GET /api/v1/optimizer/placement', () => {
  it('answers per-core load, the findings and the suggestion from the stored history', async () => {
    const res = await get('/api/v1/optimizer/placement');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.windowMs).toBe(86_400_000);
    expect(body.topology).toEqual({
      cpus: 2,
      numaNodes: 1,
      physicalCores: [
        { id: '0:0', cpus: [0], node: 0 },
        { id: '0:1', cpus: [1], node: 0 },
      ],
    });
    expect(body.perCore).toEqual([
      { cpu: 0, mean: expect.closeTo(0.9, 9), p95: expect.closeTo(0.9, 9), samples: 40 },
      { cpu: 1, mean: expect.closeTo(0.1, 9), p95: expect.closeTo(0.1, 9), samples: 40 },
    ]);
    expect(body.engine.available).toBe(false);
    expect(body.findings.map((f: { rule: string }) => f.rule)).toEqual([
      'placement-no-engine',
      'cpu-core-imbalance',
    ]);
    expect(body.suggestion).toEqual([
      { target: 'ollama', cpuset: '0', reason: expect.stringMatching(/p95 0.90 cores/) },
    ]);
  });

  it('judges only the window asked for', async () => {
    const body = (await get('/api/v1/optimizer/placement?window=10m')).json();
    expect(body.windowMs).toBe(600_000);
    expect(body.perCore.map((c: { samples: number }) => c.samples)).toEqual([10, 10]);
    // 10 samples per core is under minSamples (20): no verdict on the cores.
    expect(body.findings.map((f: { rule: string }) => f.rule)).toContain('placement-not-enough-evidence');
  });

  it('refuses a bad window with the validation code and the field, never a 500', async () => {
    for (const url of [
      '/api/v1/optimizer/placement?window=forever',
      '/api/v1/optimizer/placement?window=31d',
      '/api/v1/optimizer/placement?bogus=1',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.code, url).toBe('SUTAZAI_ERR_HTTP_VALIDATION');
    }
    expect(
      JSON.stringify((await get('/api/v1/optimizer/placement?window=31d')).json().error.details),
    ).toContain('window');
  });

  it('is admin-only', async () => {
    const res = await platform.app.inject({ method: 'GET', url: '/api/v1/optimizer/placement' });
    expect(res.statusCode).toBe(401);
  });
});
