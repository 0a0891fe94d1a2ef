import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runMainWithConfig } from '../../helpers/capture.js';
import { writeCliConfig } from '../../helpers/cli.js';
import {
  tempRoot,
  writeMeminfo,
  writePidStat,
  writeProcStat,
  writeTopology,
} from '../../helpers/system-tree.js';

/*
 * `sutazai optimize placement` on the embedded database: two sampler passes over a fixture /proc
 * with 2 CPUs (the second pass yields per-core rates), a fixture /sys (1 socket × 2 cores) and a
 * Docker host where nothing listens.
 */
let configFile: string;

beforeAll(() => {
  // DOCKER_HOST in the environment overrides the config file's doctor.dockerHost (CI exports it).
  vi.stubEnv('DOCKER_HOST', 'unix:///nonexistent/docker.sock');
  const dir = tempRoot('sutazai-optimize-placement-');
  const proc = path.join(dir, 'proc');
  writeProcStat(proc, [
    [10, 10],
    [10, 10],
  ]);
  writeMeminfo(proc, 2 * 1024 * 1024, 1024 * 1024);
  writePidStat(proc, process.pid, 1, 100, 1000);
  const sys = path.join(dir, 'sys');
  writeTopology(sys, 1, 2, 1);
  configFile = writeCliConfig(dir, {
    doctor: { dockerHost: 'unix:///nonexistent/docker.sock' },
    optimizer: { intervalMs: 1000, procRoot: proc, sysRoot: sys, containers: false, models: false },
  });
});

afterAll(() => vi.unstubAllEnvs());

const cli = (...args: string[]) => runMainWithConfig(configFile, args);

describe('sutazai optimize placement', { timeout: 300_000 }, () => {
  it('prints the topology, per-core load, and that no engine answered; --json has the API shape', async () => {
    expect((await cli('optimize', 'sample', '--passes', '2')).code).toBe(0);

    const text = await cli('optimize', 'placement');
    expect(text.code).toBe(0);
    expect(text.out).toContain('2 CPUs, 2 physical cores, 1 NUMA node(s)');
    expect(text.out).toMatch(/engine: unavailable/);
    expect(text.out).toMatch(/placement-no-engine/);

    const json = await cli('optimize', 'placement', '--json', '--window', '1h');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.out) as {
      windowMs: number;
      perCore: Array<{ cpu: number; samples: number }>;
    };
    expect(report.windowMs).toBe(3_600_000);
    // The cores come from /sys; the fixture's counters never move, so no per-core rate was stored.
    expect(report.perCore).toEqual([
      { cpu: 0, mean: 0, p95: 0, samples: 0 },
      { cpu: 1, mean: 0, p95: 0, samples: 0 },
    ]);
  });

  it('exits 2 on a bad --window', async () => {
    const bad = await cli('optimize', 'placement', '--window', '40d');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--window');
  });
});
