import { describe, expect, it } from 'vitest';
import { HealthRegistry, ProbeFailure, type Probe } from '../../../src/health/index.js';

function probe(name: string, required: boolean, check: Probe['check']): Probe {
  return { name, required, check };
}

describe('HealthRegistry', () => {
  it('reports down with the error when a check throws, and not ready when it is required', async () => {
    const health = new HealthRegistry({ intervalMs: 1000, timeoutMs: 500 });
    health.add(probe('database', true, async () => Promise.reject(new Error('connection refused'))));
    const report = await health.report();
    expect(report).toMatchObject({ status: 'down', ready: false });
    expect(report.checks[0]).toMatchObject({ name: 'database', status: 'down', error: 'connection refused' });
  });

  it('is degraded but ready when only an optional dependency is down', async () => {
    const health = new HealthRegistry({ intervalMs: 1000, timeoutMs: 500 });
    health.add(probe('database', true, async () => undefined));
    health.add(probe('ollama', false, async () => Promise.reject(new Error('ECONNREFUSED'))));
    expect(await health.report()).toMatchObject({ status: 'degraded', ready: true });
  });

  it('marks a check that hangs as down after the timeout and aborts it', async () => {
    let aborted = false;
    const health = new HealthRegistry({ intervalMs: 1000, timeoutMs: 50 });
    health.add(
      probe('slow', true, (signal) => {
        signal.addEventListener('abort', () => (aborted = true));
        return new Promise(() => undefined);
      }),
    );
    const report = await health.report();
    expect(report.checks[0]).toMatchObject({ status: 'down', error: 'check timed out after 50 ms' });
    expect(aborted).toBe(true);
  });

  it('reuses a result within the interval and runs the check again after it', async () => {
    let now = 0;
    let calls = 0;
    const health = new HealthRegistry({ intervalMs: 1000, timeoutMs: 500, now: () => now });
    health.add(probe('db', true, async () => void calls++));
    await Promise.all([health.report(), health.report()]);
    await health.report();
    expect(calls).toBe(1);
    now = 1500;
    await health.report();
    expect(calls).toBe(2);
  });

  it('includes probes from dynamic sources', async () => {
    const health = new HealthRegistry({ intervalMs: 1000, timeoutMs: 500 });
    const servers = ['a', 'b'];
    health.addSource({ probes: () => servers.map((s) => probe(`mcp:${s}`, false, async () => undefined)) });
    expect((await health.report()).checks.map((c) => c.name)).toEqual(['mcp:a', 'mcp:b']);
  });
});

describe('health registry invalidation', () => {
  it('checks a probe again at once when its source says it changed, and shows a failure detail', async () => {
    let up = true;
    let changed: (name: string) => void = () => {};
    const registry = new HealthRegistry({ intervalMs: 60_000, timeoutMs: 1000 });
    registry.addSource({
      subscribe: (cb) => (changed = cb),
      probes: () => [
        {
          name: 'dep',
          required: false,
          check: async () => {
            if (!up) throw new ProbeFailure('gone', { state: 'crashloop', restarts: 1 });
          },
        },
      ],
    });
    expect((await registry.report()).checks[0]!.status).toBe('up');
    up = false;
    expect((await registry.report()).checks[0]!.status).toBe('up'); // cached for the interval
    changed('dep');
    const check = (await registry.report()).checks[0]!;
    expect(check.status).toBe('down');
    expect(check.detail).toEqual({ state: 'crashloop', restarts: 1 });
  });
});
