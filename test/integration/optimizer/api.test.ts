import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../src/app.js';
import { injectAdminHeaders, startTestPlatform } from '../../helpers/platform.js';

/*
 * The sampler inside the whole platform (1 s interval; Docker and Ollama pointed where nothing
 * listens), and the resources API over what it stored.
 */
let platform: Platform;
let auth: Record<string, string>;

async function until<T>(what: string, fn: () => Promise<T | undefined>, deadlineMs = 60_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  platform = await startTestPlatform({
    SUTAZAI_OPTIMIZER_INTERVAL_MS: '1000',
    DOCKER_HOST: 'unix:///nonexistent/docker.sock',
    OLLAMA_HOST: 'http://127.0.0.1:9',
  });
  auth = await injectAdminHeaders(platform);
}, 120_000);
afterAll(async () => platform?.close());

const get = (url: string, headers = auth) => platform.app.inject({ method: 'GET', url, headers });

describe('the sampler in `sutazai up`', () => {
  it('stores host and platform series; the list and history answer from them', async () => {
    const series = await until('a stored CPU rate', async () => {
      const res = await get('/api/v1/resources');
      const list = res.json().series as Array<{ name: string; lastValue: number | null }>;
      return list.some((s) => s.name === 'process:cpu_cores:sutazai') ? list : undefined;
    });
    const names = series.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'host:memory_bytes:host',
        'host:memory_limit_bytes:host',
        'process:memory_bytes:sutazai',
        'host:disk_bytes:data',
      ]),
    );
    expect(series.find((s) => s.name === 'process:memory_bytes:sutazai')!.lastValue).toBeGreaterThan(
      10 * 1024 ** 2,
    );

    const h = await get('/api/v1/resources/process:memory_bytes:sutazai/history?step=1s');
    expect(h.statusCode).toBe(200);
    expect(h.json()).toMatchObject({ series: 'process:memory_bytes:sutazai', source: 'raw', step: 1 });
    expect(h.json().points.length).toBeGreaterThan(0);
  });

  it('exposes the latest values as bounded Prometheus gauges', async () => {
    const text = (await get('/metrics', {})).body;
    expect(text).toMatch(
      /sutazai_resource_value\{kind="process",metric="memory_bytes",subject="sutazai"\} \d+/,
    );
    expect(text).toMatch(/sutazai_resource_source_failures_total\{source="containers"\} \d+/);
  });

  it('gives a forecast or says why there is not enough evidence', async () => {
    const res = await get('/api/v1/resources/process:memory_bytes:sutazai/forecast');
    expect(res.statusCode).toBe(200);
    expect(res.json().evidence).toMatchObject({ status: 'not-enough-evidence' });
    expect(res.json().evidence.reason).toMatch(/points in the window|history spans/);
  });
});

describe('resources API errors', () => {
  it('answers bad input with stable codes and the field path, never a 500', async () => {
    const cases: Array<[string, number, string]> = [
      ['/api/v1/resources/nosuch/history', 400, 'SUTAZAI_ERR_HTTP_VALIDATION'],
      ['/api/v1/resources/process:memory_bytes:sutazai/history?step=0', 400, 'SUTAZAI_ERR_HTTP_VALIDATION'],
      [
        '/api/v1/resources/process:memory_bytes:sutazai/history?from=yesterday',
        400,
        'SUTAZAI_ERR_HTTP_VALIDATION',
      ],
      ['/api/v1/resources/process:memory_bytes:sutazai/history?bogus=1', 400, 'SUTAZAI_ERR_HTTP_VALIDATION'],
      [
        '/api/v1/resources/process:memory_bytes:sutazai/history?from=2026-01-02&to=2026-01-01',
        400,
        'SUTAZAI_ERR_RESOURCES_RANGE_INVALID',
      ],
      [
        '/api/v1/resources/process:memory_bytes:sutazai/history?from=0&step=1',
        400,
        'SUTAZAI_ERR_RESOURCES_RANGE_INVALID',
      ],
      [
        '/api/v1/resources/container:memory_bytes:nosuch/history',
        404,
        'SUTAZAI_ERR_RESOURCES_SERIES_NOT_FOUND',
      ],
      [
        '/api/v1/resources/container:memory_bytes:nosuch/forecast',
        404,
        'SUTAZAI_ERR_RESOURCES_SERIES_NOT_FOUND',
      ],
    ];
    for (const [url, status, code] of cases) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(status);
      expect(res.json().error.code, url).toBe(code);
    }
    const bad = await get('/api/v1/resources/process:memory_bytes:sutazai/history?step=0');
    expect(JSON.stringify(bad.json().error.details)).toContain('step');
  });

  it('needs credentials', async () => {
    expect((await get('/api/v1/resources', {})).statusCode).toBe(401);
  });
});
