import path from 'node:path';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { runMainWithConfig } from '../../helpers/capture.js';
import { collect, groupGone, killGroup, spawnCli, writeCliConfig } from '../../helpers/cli.js';
import { tempRoot, writeMeminfo, writePidStat, writeProcStat } from '../../helpers/system-tree.js';

/*
 * `sutazai optimize` end to end on the embedded database: `sample` stores passes read from a
 * fixture /proc (so the figures are known), the read commands answer from what it stored, and a
 * running sampler stops cleanly on SIGTERM.
 */
let dir: string;
let configFile: string;

beforeAll(() => {
  dir = tempRoot('sutazai-optimize-cli-');
  const proc = path.join(dir, 'proc');
  writeProcStat(proc, [[10, 10]]);
  writeMeminfo(proc, 2 * 1024 * 1024, 1024 * 1024);
  writePidStat(proc, process.pid, 1, 100, 1000);
  configFile = writeCliConfig(dir, {
    optimizer: { intervalMs: 1000, procRoot: proc, containers: false, models: false },
  });
});

const cli = (...args: string[]) => runMainWithConfig(configFile, args);

// The embedded database's first start (initdb) takes tens of seconds on a loaded machine.
describe('sutazai optimize', { timeout: 300_000 }, () => {
  it('samples, then lists, shows history, forecasts and backtests what it stored', async () => {
    const sample = await cli('optimize', 'sample', '--passes', '2');
    expect(sample.code).toBe(0);
    expect(sample.out.match(/stored \d+ samples/g)).toHaveLength(2);

    const list = await cli('optimize', 'list', '--json');
    expect(list.code).toBe(0);
    const series = (JSON.parse(list.out) as { series: Array<{ name: string; lastValue: number }> }).series;
    expect(series.find((s) => s.name === 'host:memory_bytes:host')?.lastValue).toBe(1024 ** 3);
    expect(series.find((s) => s.name === 'process:memory_bytes:sutazai')?.lastValue).toBe(1000 * 4096);

    const history = await cli('optimize', 'history', 'host:memory_bytes:host', '--step', '1s');
    expect(history.code).toBe(0);
    expect(history.out).toMatch(/host:memory_bytes:host .* \(raw, 2 points\)/);
    expect(history.out).toContain('1.00 GiB');

    const forecast = await cli('optimize', 'forecast', 'host:memory_bytes:host');
    expect(forecast.out).toContain('host:memory_bytes:host: not enough evidence: 2 points in the window');

    const backtest = await cli('optimize', 'backtest', '--json');
    expect(backtest.code).toBe(0);
    const results = (JSON.parse(backtest.out) as { backtests: Array<{ series: string; scored: number }> })
      .backtests;
    expect(results.map((r) => r.series)).toContain('host:memory_bytes:host');
  });

  it('exits 2 on a bad flag and 1 with the catalogue code for an unknown series', async () => {
    const bad = await cli('optimize', 'history', 'host:memory_bytes:host', '--step', 'often');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--step');
    const missing = await cli('optimize', 'history', 'container:memory_bytes:nosuch');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('SUTAZAI_ERR_RESOURCES_SERIES_NOT_FOUND');
  });

  it('auto off pauses auto mode in the database, on resumes, status shows it', async () => {
    const off = await cli('optimize', 'auto', 'off', '--json');
    expect(off.code).toBe(0);
    expect(JSON.parse(off.out)).toMatchObject({ enabled: false, paused: true, kinds: ['container'] });
    const status = await cli('optimize', 'auto', 'status');
    expect(status.out).toMatch(/auto mode: off \(optimizer.auto.enabled is false\)/);
    const on = await cli('optimize', 'auto', 'on', '--json');
    expect(JSON.parse(on.out)).toMatchObject({ paused: false });
    expect((await cli('optimize', 'auto', 'maybe')).code).toBe(2);
  });

  it('a running sampler keeps sampling and stops cleanly on SIGTERM', async () => {
    const child = spawnCli(['optimize', 'sample', '-c', configFile]);
    onTestFinished(() => killGroup(child.pid));
    const result = collect(child);
    await new Promise<void>((resolve, reject) => {
      let passes = 0;
      child.stdout!.on('data', (chunk: Buffer) => {
        passes += chunk.toString().split('stored').length - 1;
        if (passes >= 3) resolve();
      });
      child.once('exit', () => reject(new Error('exited before its first pass')));
    });
    process.kill(child.pid!, 'SIGTERM');
    const r = await result;
    expect(r.code).toBe(0);
    expect(await groupGone(child.pid!, 10_000)).toBe(true); // nothing of its process group is left
  });
});
