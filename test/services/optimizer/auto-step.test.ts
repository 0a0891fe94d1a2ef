import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { ConfigSchema } from '../../../src/config/schema.js';
import { HttpDockerClient } from '../../../src/ops/index.js';
import { createOptimizerAuto, optimizerPlanDeps } from '../../../src/optimizer/index.js';
import { startWebhookReceiver } from '../../fixtures/doctor/watch-project.js';
import { freshPglite } from '../../helpers/db.js';
import { writeFlatHistory } from '../../helpers/resource-history.js';
import { describeWithService } from '../../helpers/services.js';
import { tempRoot } from '../../helpers/system-tree.js';
import { docker, removeByPrefix, runContainer } from '../doctor/docker-helpers.js';

/*
 * On the real engine: a busybox container limited to 1 GiB that uses about 1 MiB, with two days
 * of history in the store (more than optimizer.recommend.minHistoryMs and minSamples). One auto
 * tick lowers its limit by exactly one 25 % step (to 768 MiB, above the 128 MiB floor the
 * recommendation gives) and reports it to a webhook; a second tick the same day does nothing.
 */
const PREFIX = `${process.env.SUTAZAI_TEST_PREFIX ?? 'sutazai-test'}-auto-${randomBytes(3).toString('hex')}`;
const MiB = 1024 ** 2;
const H = 3_600_000;

describeWithService('DOCKER_HOST', 'optimizer auto mode on the real engine', (host) => {
  afterAll(async () => removeByPrefix(PREFIX));

  it(
    'lowers an idle container by one step, reports it, and steps no more that day',
    { timeout: 240_000 },
    async () => {
      const dir = tempRoot('sutazai-auto-step-');
      const name = `${PREFIX}-idle`;
      await runContainer({ name, limits: { memory: '1g', cpus: '0.5' }, cmd: ['sleep', '3600'] });
      const db = await freshPglite();
      const posts: unknown[] = [];
      const receiver = await startWebhookReceiver((_p, body) => (posts.push(body), 200));
      try {
        const now = Date.now();
        await writeFlatHistory(
          db,
          { [`container:memory_bytes:${name}`]: 1 * MiB },
          { until: now, spanMs: 48 * H, everyMs: H },
        );
        const config = ConfigSchema.parse({
          dataDir: dir,
          mcp: { configPath: path.join(dir, 'none.json') },
          doctor: { webhooks: [{ url: `${receiver.url}/hook` }], verify: { windowMs: 3000, pollMs: 500 } },
          optimizer: { auto: { enabled: true } },
        });
        const engine = new HttpDockerClient({ host, timeoutMs: 10_000 });
        const auto = createOptimizerAuto({
          db,
          config,
          logger: pino({ level: 'silent' }),
          planDeps: () => optimizerPlanDeps(config, { db, docker: engine, cwd: dir }),
        });

        const first = await auto.tick();
        expect(first, JSON.stringify(first)).toMatchObject({
          ran: true,
          steps: [{ target: `container:${name}`, from: 1024 * MiB, to: 768 * MiB, outcome: 'kept' }],
        });
        expect(Number(await docker('inspect', '-f', '{{.HostConfig.Memory}}', name))).toBe(768 * MiB);
        expect(posts).toEqual([
          expect.objectContaining({
            event: 'optimizer:step',
            target: `container:${name}`,
            from: 1024 * MiB,
            to: 768 * MiB,
            outcome: 'kept',
            evidence: expect.objectContaining({ summary: '49 samples over 48 h, peak 1 MiB' }),
          }),
        ]);

        expect(await auto.tick()).toEqual({ ran: true, steps: [] });
        expect(Number(await docker('inspect', '-f', '{{.HostConfig.Memory}}', name))).toBe(768 * MiB);
        expect(posts).toHaveLength(1);
      } finally {
        await receiver.close();
        await db.close();
      }
    },
  );
});
