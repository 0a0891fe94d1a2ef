import { randomBytes } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { HttpDockerClient } from '../../../src/ops/index.js';
import { Collector, forecastSeries } from '../../../src/optimizer/index.js';
import { describeWithService } from '../../helpers/services.js';
import { tempRoot } from '../../helpers/system-tree.js';
import { leakCommand, removeByPrefix, runContainer } from '../doctor/docker-helpers.js';

/*
 * On the real engine: a busybox container writes 1 MiB to a tmpfs (memory charged to its cgroup)
 * about every second under a 40 MiB limit. The sampler reads it (cgroup files when visible, else
 * the engine), the forecast fitted on its first 15 s predicts when it reaches the limit, and the
 * test keeps sampling until it really does: the prediction must land within a tolerance of the
 * observed time. The truth is observed rather than assumed, so a loaded machine that grows the
 * container slower than 1 MiB/s changes both sides alike.
 */
const PREFIX = `ho-leak-${randomBytes(3).toString('hex')}`;
const MiB = 1024 ** 2;
const LIMIT = 40 * MiB;

describeWithService('DOCKER_HOST', 'optimizer forecast on a leaking container (real engine)', (host) => {
  afterAll(async () => removeByPrefix(PREFIX));

  it(
    'forecasts the time the container reaches its memory limit within tolerance',
    { timeout: 240_000 },
    async () => {
      const name = `${PREFIX}-c`;
      await runContainer({
        name,
        limits: { memory: '40m', memorySwap: '40m' },
        health: false,
        tmpfs: '/grow:size=200m',
        cmd: leakCommand(),
      });
      const collector = new Collector({
        roots: { proc: '/proc', sys: '/sys', cgroup: '/sys/fs/cgroup' },
        dataDir: tempRoot(),
        platformPid: process.pid,
        docker: new HttpDockerClient({ host, timeoutMs: 10_000 }),
        sourceTimeoutMs: 10_000,
      });
      const series = `container:memory_bytes:${name}`;
      const points: Array<{ t: number; v: number }> = [];
      const sample = async () => {
        const r = await collector.collect();
        const p = r.points.find((x) => x.series === series);
        if (p) points.push({ t: r.at, v: p.value });
        const limit = r.points.find((x) => x.series === `container:memory_limit_bytes:${name}`);
        return { value: p?.value, limit: limit?.value };
      };
      const first = await sample();
      expect(first.limit).toBe(LIMIT);

      // Fit on 15 s of history (samples every second).
      const fitStart = Date.now();
      while (Date.now() - fitStart < 15_000) {
        await sample();
        await new Promise((r) => setTimeout(r, 1000));
      }
      const fc = forecastSeries(
        series,
        points,
        { bytes: LIMIT, source: 'memory-limit' },
        {
          horizonMs: 60_000,
          minHistoryMs: 10_000,
          minPoints: 10,
          maxRelativeError: 0.5,
          maxLevelShift: 0.2,
          intervalZ: 1.96,
        },
      );
      expect(fc.evidence.status, JSON.stringify(fc.evidence)).toBe('ok');
      if (fc.evidence.status !== 'ok') return;
      const predictedAt = Date.parse(fc.evidence.exhaustion.at!);
      const madeAt = points.at(-1)!.t;
      expect(fc.evidence.fits.theilSen.slopePerHour / MiB / 3600).toBeGreaterThan(0.3); // MiB/s

      // Now watch for the real thing: within 2 MiB of the limit (one step of the writer).
      let reachedAt: number | undefined;
      const deadline = Date.now() + 180_000;
      while (reachedAt === undefined && Date.now() < deadline) {
        const s = await sample();
        if (s.value !== undefined && s.value >= LIMIT - 2 * MiB) reachedAt = points.at(-1)!.t;
        else await new Promise((r) => setTimeout(r, 500));
      }
      expect(reachedAt, 'the container reached its limit').toBeDefined();
      const lead = reachedAt! - madeAt;
      const error = Math.abs(predictedAt - reachedAt!);
      // Within a quarter of the lead time (and never tighter than 5 s).
      expect(
        error,
        `predicted ${new Date(predictedAt).toISOString()}, reached ${new Date(reachedAt!).toISOString()}, lead ${lead} ms`,
      ).toBeLessThanOrEqual(Math.max(5000, lead * 0.25));
    },
  );
});
