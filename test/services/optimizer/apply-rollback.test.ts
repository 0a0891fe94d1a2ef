import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { ConfigSchema } from '../../../src/config/schema.js';
import { HttpDockerClient } from '../../../src/ops/index.js';
import { parseBytes } from '../../../src/ops/compose/units.js';
import { MEMORY_FLOORS } from '../../../src/ops/limits/floors.js';
import {
  applyChanges,
  buildPlan,
  Collector,
  rollbackChanges,
  SampleWriter,
  type ApplyDeps,
} from '../../../src/optimizer/index.js';
import { freshPglite } from '../../helpers/db.js';
import { describeWithService } from '../../helpers/services.js';
import { tempRoot } from '../../helpers/system-tree.js';
import { docker, IMAGE, leakCommand, removeByPrefix, runContainer } from '../doctor/docker-helpers.js';

/*
 * On the real engine: a compose-labelled busybox container under a 40 MiB limit grows its memory
 * by 1 MiB a second (a tmpfs charged to its cgroup) up to 30 MiB. It is sampled into the store;
 * the plan proposes max(peak × 1.15, the default kind's floor); `optimize apply` raises the limit
 * on the running container and in its compose file, and the rollback restores both.
 */
const PREFIX = `${process.env.SUTAZAI_TEST_PREFIX ?? 'sutazai-test'}-opt-${randomBytes(3).toString('hex')}`;
const MiB = 1024 ** 2;

describeWithService(
  'DOCKER_HOST',
  'optimizer apply and rollback on a growing container (real engine)',
  (host) => {
    afterAll(async () => removeByPrefix(PREFIX));

    it(
      'raises the limit live and in the compose file, then the rollback restores both',
      { timeout: 240_000 },
      async () => {
        const dir = tempRoot('sutazai-opt-apply-');
        const composeFile = path.join(dir, 'compose.yaml');
        const composeText = `services:\n  leak:\n    image: ${IMAGE}\n    mem_limit: 40m # keep this comment\n`;
        await writeFile(composeFile, composeText);
        const name = `${PREFIX}-leak`;
        // The store first: sampling must start as soon as the container does.
        const db = await freshPglite();
        await runContainer({
          name,
          compose: { project: 'optapply', service: 'leak', file: { path: composeFile, workingDir: dir } },
          limits: { memory: '40m' },
          health: false,
          tmpfs: '/grow:size=100m',
          cmd: leakCommand(30),
        });
        const engine = new HttpDockerClient({ host, timeoutMs: 10_000 });
        try {
          const collector = new Collector({
            roots: { proc: '/proc', sys: '/sys', cgroup: '/sys/fs/cgroup' },
            dataDir: dir,
            platformPid: process.pid,
            docker: engine,
            sourceTimeoutMs: 10_000,
          });
          const writer = new SampleWriter(db, 1000);
          const start = Date.now();
          while (Date.now() - start < 20_000) {
            const r = await collector.collect();
            await writer.write(
              r.at,
              r.points.filter((p) => p.series.endsWith(`:${name}`)),
            );
            await new Promise((res) => setTimeout(res, 1000));
          }

          const config = ConfigSchema.parse({});
          const deps: ApplyDeps = {
            db,
            config: { ...config.optimizer.recommend, minHistoryMs: 15_000, minSamples: 10 },
            docker: engine,
            composeFiles: [],
            mcp: { configPath: path.join(dir, 'none.json'), defaults: config.mcp },
            dataDir: dir,
            verify: { windowMs: 3000, pollMs: 500 },
          };
          const plan = await buildPlan(deps, 'rightsize');
          const change = plan.changes.find((c) => c.id === `container:${name}:memory`);
          expect(change, JSON.stringify(plan)).toBeDefined();
          const peak = change!.evidence.peak!;
          expect(peak).toBeGreaterThan(15 * MiB);
          expect(change!.evidence.fit!.slopePerHour / 3600 / MiB).toBeGreaterThan(0.3); // it grew about 1 MiB/s
          expect(change).toMatchObject({
            target: { kind: 'container', name, service: 'leak', composeFile },
            current: 40 * MiB,
            proposed: Math.max(MEMORY_FLOORS.default, Math.ceil((peak * 1.15) / MiB) * MiB),
          });
          const proposed = change!.proposed as number;

          const out = await applyChanges(deps, { ids: [change!.id] });
          expect(out, JSON.stringify(out)).toMatchObject({
            applied: [change!.id],
            rolledBack: false,
            verification: { ok: true },
          });
          expect(Number(await docker('inspect', '-f', '{{.HostConfig.Memory}}', name))).toBe(proposed);
          const edited = await readFile(composeFile, 'utf8');
          expect(parseBytes(String(parseDocument(edited).getIn(['services', 'leak', 'mem_limit'])))).toBe(
            proposed,
          );
          expect(edited).toContain('# keep this comment');

          const rb = await rollbackChanges(deps, out.backupId!);
          expect(rb.failed).toEqual([]);
          expect(rb.restored).toEqual([composeFile, `container ${name}`]);
          expect(Number(await docker('inspect', '-f', '{{.HostConfig.Memory}}', name))).toBe(40 * MiB);
          expect(await readFile(composeFile, 'utf8')).toBe(composeText);
        } finally {
          await db.close();
        }
      },
    );
  },
);
