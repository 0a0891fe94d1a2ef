import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DoctorConfigSchema } from '../../../src/config/schema.js';
import {
  HttpDockerClient,
  MemoryStateStore,
  auditOptions,
  runAudit,
  type AuditDeps,
} from '../../../src/ops/index.js';
import { describeWithService } from '../../helpers/services.js';
import { IMAGE, docker, removeByPrefix, runContainer } from './docker-helpers.js';

/** stale-container on a real engine: the compose service changed after its container was created. */
describeWithService('DOCKER_HOST', 'doctor stale-container on a real Docker engine', (dockerHost) => {
  const tag = randomBytes(4).toString('hex');
  const prefix = `hd-${tag}`;
  let dir: string;
  let file: string;
  let deps: AuditDeps;
  const compose = (env: string) =>
    `name: ${prefix}\nservices:\n  app:\n    image: ${IMAGE}\n    network_mode: none\n    environment: { MODE: ${env} }\n    mem_limit: 64m\n    cpus: 0.5\n`;
  const audit = () =>
    runAudit(
      auditOptions(deps, {
        files: [file],
        nameFilter: prefix,
        only: ['stale-container'],
        without: ['listeners', 'processes', 'platform'],
      }),
    );

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hd-stale-'));
    file = path.join(dir, 'compose.yaml');
    await writeFile(file, compose('one'));
    deps = {
      config: DoctorConfigSchema.parse({}),
      dataDir: path.join(dir, 'data'),
      docker: new HttpDockerClient({ host: dockerHost, timeoutMs: 30_000 }),
      stateStore: new MemoryStateStore(),
    };
    await runContainer({
      name: `${prefix}-app-1`,
      compose: { project: prefix, service: 'app' },
      cmd: ['sleep', '600'],
    });
  }, 120_000);

  afterAll(async () => {
    await removeByPrefix(prefix);
    await rm(dir, { recursive: true, force: true });
    expect(await docker('ps', '-aq', '--filter', `name=${prefix}`)).toBe('');
  }, 120_000);

  it('reports the container once its service declaration changed, not before', async () => {
    expect((await audit()).report.findings).toEqual([]); // first sight: the baseline
    expect((await audit()).report.findings).toEqual([]); // unchanged
    await writeFile(file, compose('two'));
    const { report } = await audit();
    expect(report.findings.map((f) => `${f.ruleId}:${f.service}:${f.container}`)).toEqual([
      `stale-container:app:${prefix}-app-1`,
    ]);
    expect(report.findings[0]!.location).toEqual({ file, line: 3 });
  }, 120_000);
});
