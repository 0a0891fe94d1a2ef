import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DoctorConfigSchema } from '../../../src/config/schema.js';
import {
  HttpDockerClient,
  MemoryStateStore,
  applyFix,
  auditOptions,
  planFix,
  runAudit,
  type AuditDeps,
  type AuditRequest,
} from '../../../src/ops/index.js';
import { runMain } from '../../helpers/capture.js';
import { describeWithService } from '../../helpers/services.js';
import { IMAGE, docker, inVolume, inspect, removeByPrefix, runContainer, waitFor } from './docker-helpers.js';

/**
 * The scenario on a real engine: an orphan without limits (the plan used to remove it
 * and then limit it: 404, everything rolled back) and a dangling named volume (which the old
 * prune deleted before the rollback, for good).
 */
describeWithService('DOCKER_HOST', 'doctor fix is safe on a real Docker engine', (dockerHost) => {
  const tag = randomBytes(4).toString('hex');
  const prefix = `hd-${tag}`;
  const project = prefix;
  const volume = `${prefix}_unused_models`;
  const config = DoctorConfigSchema.parse({});
  let client: HttpDockerClient;
  let dir: string;
  let composeFile: string;
  let deps: AuditDeps;
  const request = (extra: AuditRequest = {}): AuditRequest => ({
    files: [composeFile],
    nameFilter: prefix,
    only: ['orphan-container', 'no-memory-limit', 'no-cpu-limit', 'dangling-volumes'],
    without: ['listeners', 'processes', 'platform'],
    ...extra,
  });
  const labels = (service: string) => ({ project, service });
  const volumeFile = () => inVolume(volume, 'cat /v/weights.bin');

  beforeAll(async () => {
    client = new HttpDockerClient({ host: dockerHost, timeoutMs: 15_000 });
    dir = await mkdtemp(path.join(tmpdir(), 'hd-fix-'));
    composeFile = path.join(dir, 'compose.yaml');
    await writeFile(
      composeFile,
      `name: ${project}\nservices:\n  keep: # no limits yet\n    image: ${IMAGE}\n    network_mode: none\n  fragile:\n    image: ${IMAGE}\n    network_mode: none\n`,
    );
    deps = { config, dataDir: path.join(dir, 'data'), docker: client, stateStore: new MemoryStateStore() };
    await runContainer({
      name: `${prefix}-keep`,
      compose: labels('keep'),
      limits: false,
      cmd: ['sleep', '600'],
    });
    await runContainer({
      name: `${prefix}-old`,
      compose: labels('old'),
      limits: false,
      cmd: ['sleep', '600'],
    });
    await docker(
      'volume',
      'create',
      '--label',
      `com.docker.compose.project=${project}`,
      '--label',
      'com.docker.compose.volume=unused_models',
      volume,
    );
    await inVolume(volume, 'echo model-bytes > /v/weights.bin');
  }, 180_000);

  afterAll(async () => {
    await removeByPrefix(prefix);
    await docker('volume', 'rm', '-f', volume).catch(() => '');
    await rm(dir, { recursive: true, force: true });
    expect(await docker('ps', '-aq', '--filter', `name=${prefix}`)).toBe('');
    expect(await docker('volume', 'ls', '-q', '--filter', `name=${prefix}`)).toBe('');
  }, 120_000);

  it('a forced verification failure leaves every container and volume as it was', async () => {
    const name = `${prefix}-fragile`;
    await runContainer({
      name,
      compose: labels('fragile'),
      limits: false,
      health: ['test $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes) -gt 100000000000'],
      healthInterval: '1s',
      cmd: ['sleep', '600'],
    });
    await waitFor(
      'fragile healthy',
      async () => (await inspect(client, name)).State.Health?.Status === 'healthy',
    );
    const composeBefore = await readFile(composeFile, 'utf8');
    const oldBefore = await inspect(client, `${prefix}-old`);
    const { report, snapshot, state } = await runAudit(auditOptions(deps, request()));
    expect(report.partial).toBe(false);
    const bare = planFix(report, snapshot, state, config, { nameFilter: prefix });
    expect(bare.kept.map((k) => k.resource)).toEqual([`volume ${volume}`]);
    // Even with the volume named for removal, nothing irreversible runs before verification.
    const plan = planFix(report, snapshot, state, config, { nameFilter: prefix, removeVolumes: [volume] });
    expect(plan.actions.map((a) => a.kind)).toEqual([
      'set-limits',
      'set-limits',
      'remove-container',
      'remove-volumes',
    ]);
    expect(plan.actions.filter((a) => 'container' in a && a.container === `${prefix}-old`)).toHaveLength(1);
    const result = await applyFix(plan, snapshot, {
      docker: client,
      dataDir: deps.dataDir,
      verify: { windowMs: 8000, pollMs: 500 },
    });
    expect(result.outcome, result.summary).toBe('rolled-back');
    expect(result.verification!.problems.join()).toMatch(/unhealthy/);
    expect(result.rollbackErrors).toEqual([]);
    expect(result.notRestored).toEqual([]);
    expect(result.summary).toContain('2 irreversible action(s) not run');
    expect((await inspect(client, name)).HostConfig.Memory).toBe(0);
    expect((await inspect(client, `${prefix}-keep`)).HostConfig.Memory).toBe(0);
    const oldAfter = await inspect(client, `${prefix}-old`);
    expect(oldAfter.Id).toBe(oldBefore.Id);
    expect(oldAfter.State.Running).toBe(true);
    expect(await volumeFile()).toBe('model-bytes');
    expect(await readFile(composeFile, 'utf8')).toBe(composeBefore);
    await docker('rm', '-f', name);
  }, 240_000);

  it('fix -f from another directory removes the orphan once and the named volume only when named; rollback brings both back', async () => {
    const cfgDir = await mkdtemp(path.join(tmpdir(), 'hd-fix-cfg-'));
    const cfg = path.join(cfgDir, 'sutazai.yaml');
    await writeFile(
      cfg,
      JSON.stringify({ dataDir: path.join(cfgDir, 'data'), doctor: { dockerHost, dockerTimeoutMs: 60_000 } }),
    );
    const flags = [
      '-f',
      composeFile,
      '-c',
      cfg,
      '--name-filter',
      prefix,
      '--only',
      'orphan-container,no-memory-limit,no-cpu-limit,dangling-volumes',
      '--without',
      'listeners,processes,platform',
    ];
    const dry = await runMain(['doctor', 'fix', ...flags]);
    expect(dry.out).toContain(`volume ${volume}: a named volume is never deleted unless named`);
    const r = await runMain([
      'doctor',
      'fix',
      ...flags,
      '--remove-volume',
      volume,
      '--apply',
      '--verify-ms',
      '2000',
      '--format',
      'json',
    ]);
    expect(r.err).toBe('');
    const result = JSON.parse(r.out) as {
      outcome: string;
      summary: string;
      steps: Array<{ action: string; ok: boolean }>;
      verification: { windowMs: number; watched: string[] };
    };
    expect(result.outcome, result.summary).toBe('applied');
    // --verify-ms reached the apply; --name-filter kept every other container on the engine out.
    expect(result.verification).toMatchObject({ windowMs: 2000, watched: [`${prefix}-keep`] });
    expect(result.steps.map((s) => `${s.action}:${s.ok}`)).toEqual([
      `set-limits ${prefix}-keep:true`,
      `remove-container ${prefix}-old:true`,
      'remove-volumes:true',
    ]);
    // No memory limit from an idle sample or two: the kind default (512 MiB for `default`).
    expect((await inspect(client, `${prefix}-keep`)).HostConfig.Memory).toBe(512 * 1024 * 1024);
    expect(await docker('ps', '-aq', '--filter', `name=${prefix}-old`)).toBe('');
    expect(await docker('volume', 'ls', '-q', '--filter', `name=${volume}`)).toBe('');
    const rb = await runMain(['doctor', 'rollback', '-c', cfg]);
    expect(rb.err).toBe('');
    expect(rb.code, rb.out).toBe(0);
    expect(rb.out).not.toContain('not restored');
    expect((await inspect(client, `${prefix}-old`)).State.Running).toBe(true);
    expect(await volumeFile()).toBe('model-bytes');
    expect((await inspect(client, `${prefix}-keep`)).HostConfig.Memory).toBe(0);
    await rm(cfgDir, { recursive: true, force: true });
  }, 300_000);
});
