import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DoctorConfigSchema } from '../../../src/config/schema.js';
import {
  HttpDockerClient,
  MemoryStateStore,
  applyFix,
  auditOptions,
  exitCodeFor,
  loadComposeProject,
  planFix,
  runAudit,
  toSarif,
  type AuditDeps,
  type AuditRequest,
} from '../../../src/ops/index.js';
import { sarifErrors } from '../../helpers/sarif.js';
import { describeWithService } from '../../helpers/services.js';
import { docker, inspect, removeByPrefix, runContainer, waitFor } from './docker-helpers.js';

const reportSchema = JSON.parse(
  await readFile(new URL('../../../docs/schemas/doctor-report.schema.json', import.meta.url), 'utf8'),
);

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

const LIMITS = 'deploy: { resources: { limits: { memory: 64M, cpus: "0.5" } } }';

function composeText(project: string, httpPort: number, listenerPort: number): string {
  return `# the doctor services-tier project: every service below is arranged to yield one finding
name: ${project}
services:
  ok: # healthy, limited: no finding
    image: sutazai-test/busybox:1
    network_mode: none
    ${LIMITS}
  phantom: # declared, never started
    image: sutazai-test/busybox:1
    ${LIMITS}
  web1:
    image: sutazai-test/busybox:1
    network_mode: host
    ports: ["127.0.0.1:${httpPort}:${httpPort}"]
    ${LIMITS}
  web2: # same host port as web1: exits when it cannot bind
    image: sutazai-test/busybox:1
    network_mode: host
    ports: ["127.0.0.1:${httpPort}:${httpPort}"]
    ${LIMITS}
  nolimits:
    # keep this comment: the fix must not eat it
    image: sutazai-test/busybox:1
    network_mode: none
  looper:
    image: sutazai-test/busybox:1
    restart: always
    ${LIMITS}
  sick:
    image: sutazai-test/busybox:1
    ${LIMITS}
  listener: # its port is held by a plain node process
    image: sutazai-test/busybox:1
    ports: ["127.0.0.1:${listenerPort}:${listenerPort}"]
    ${LIMITS}
  fragile: # only in the rollback test: unhealthy as soon as it has a memory limit
    image: sutazai-test/busybox:1
    profiles: [later]
`;
}

describeWithService('DOCKER_HOST', 'doctor against a real Docker engine', (dockerHost) => {
  const tag = randomBytes(4).toString('hex');
  const project = `dtest${tag}`;
  const prefix = `dtest${tag}-`;
  let client: HttpDockerClient;
  const config = DoctorConfigSchema.parse({});
  let dir: string;
  let composeFile: string;
  let server: net.Server;
  let deps: AuditDeps;
  const request = (extra: AuditRequest = {}): AuditRequest => ({
    files: [composeFile],
    nameFilter: prefix,
    // Shared daemon and host: dangling resources and process counts belong to everyone.
    skip: ['dangling-images', 'dangling-volumes', 'dangling-networks', 'process-sprawl'],
    ...extra,
  });
  const svc = (service: string) => ({ project, service });

  beforeAll(async () => {
    client = new HttpDockerClient({ host: dockerHost, timeoutMs: 15_000 });
    dir = await mkdtemp(path.join(tmpdir(), 'doctor-svc-'));
    composeFile = path.join(dir, 'compose.yaml');
    const httpPort = await freePort();
    const listenerPort = await freePort();
    await writeFile(composeFile, composeText(project, httpPort, listenerPort));
    server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(listenerPort, '127.0.0.1', r));
    deps = { config, dataDir: path.join(dir, 'data'), docker: client, stateStore: new MemoryStateStore() };
    const sleep = ['sleep', '600'];
    const httpd = ['httpd', '-f', '-p', `127.0.0.1:${httpPort}`];
    await runContainer({ name: `${prefix}ok`, compose: svc('ok'), cmd: sleep });
    await runContainer({ name: `${prefix}web1`, compose: svc('web1'), network: 'host', cmd: httpd });
    await waitFor('web1 listening', async () =>
      (await readFile('/proc/net/tcp', 'utf8')).includes(
        `:${httpPort.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A`,
      ),
    );
    await runContainer({ name: `${prefix}web2`, compose: svc('web2'), network: 'host', cmd: httpd });
    await runContainer({ name: `${prefix}nolimits`, compose: svc('nolimits'), limits: false, cmd: sleep });
    await runContainer({
      name: `${prefix}looper`,
      compose: svc('looper'),
      restart: 'always',
      cmd: ['sh', '-c', 'sleep 1; exit 3'],
    });
    await runContainer({
      name: `${prefix}sick`,
      compose: svc('sick'),
      health: ['false'],
      healthInterval: '1s',
      cmd: sleep,
    });
    await runContainer({ name: `${prefix}listener`, compose: svc('listener'), cmd: sleep });
    await runContainer({ name: `${prefix}orphan`, compose: svc('removed'), cmd: sleep });
    await runContainer({ name: `${prefix}stray`, cmd: sleep });
    await waitFor('web2 to exit', async () => !(await inspect(client, `${prefix}web2`)).State.Running);
    await waitFor(
      'looper to restart 3 times',
      async () => (await inspect(client, `${prefix}looper`)).RestartCount >= 3,
      60_000,
    );
    await waitFor(
      'sick to be unhealthy',
      async () => (await inspect(client, `${prefix}sick`)).State.Health?.Status === 'unhealthy',
    );
  });

  afterAll(async () => {
    await removeByPrefix(prefix);
    await new Promise((r) => server?.close(r));
    if (dir) await rm(dir, { recursive: true, force: true });
    expect(await docker('ps', '-aq', '--filter', `name=${prefix}`)).toBe('');
  });

  it('yields exactly the arranged findings and nothing else', async () => {
    const { report } = await runAudit(auditOptions(deps, request()));
    const got = report.findings.map((f) => `${f.ruleId} ${f.service}`).sort();
    expect(got).toEqual(
      [
        'phantom-service phantom',
        'phantom-service web2',
        'port-conflict web2',
        'port-conflict listener',
        'orphan-container removed',
        `stray-container ${prefix}stray`,
        'no-memory-limit nolimits',
        'no-cpu-limit nolimits',
        'restart-loop looper',
        'unhealthy sick',
      ].sort(),
    );
    const listenerConflict = report.findings.find(
      (f) => f.ruleId === 'port-conflict' && f.service === 'listener',
    )!;
    expect(listenerConflict.evidence).toMatchObject({
      kind: 'non-docker-listener',
      listener: { pid: process.pid },
    });
    expect(
      report.findings.find((f) => f.ruleId === 'port-conflict' && f.service === 'web2')!.location,
    ).toMatchObject({ file: composeFile });
    expect(report.sources.find((s) => s.name === 'docker')!.status).toBe('ok');
    expect(report.partial).toBe(false);
    expect(exitCodeFor(report, 'high')).toBe(1);

    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    expect(ajv.validate(reportSchema, JSON.parse(JSON.stringify(report))), ajv.errorsText()).toBe(true);
    const sarif = toSarif(report, dir) as { runs: Array<{ results: Array<{ locations?: unknown[] }> }> };
    expect(sarifErrors(sarif)).toBeUndefined();
    expect(sarif.runs[0]!.results.some((r) => r.locations)).toBe(true);
  });

  it('fix --apply sets limits live and in the compose file, keeping its comments', async () => {
    const { report, snapshot, state } = await runAudit({
      ...auditOptions(
        deps,
        request({ nameFilter: `${prefix}nolimits`, only: ['no-memory-limit', 'no-cpu-limit'] }),
      ),
      stats: 'all',
    });
    const plan = planFix(report, snapshot, state, config);
    expect(plan.actions.map((a) => a.kind)).toEqual(['set-limits']);
    const result = await applyFix(plan, snapshot, {
      docker: client,
      dataDir: deps.dataDir,
      verify: { windowMs: 2000, pollMs: 500 },
    });
    expect(result.outcome, result.summary).toBe('applied');
    const after = await inspect(client, `${prefix}nolimits`);
    expect(after.HostConfig.Memory).toBeGreaterThan(0);
    expect(after.HostConfig.NanoCpus).toBe(500_000_000);
    const text = await readFile(composeFile, 'utf8');
    expect(text).toContain('# keep this comment: the fix must not eat it');
    expect(text).toContain('# the doctor services-tier project');
    const decl = loadComposeProject({ files: [composeFile], env: {} }).services.find(
      (s) => s.name === 'nolimits',
    )!;
    expect(decl.memoryLimit).toBe(after.HostConfig.Memory);
    expect(decl.cpuLimit).toBe(0.5);
    const journal = await readFile(path.join(result.backupDir!, 'journal.ndjson'), 'utf8');
    expect(journal).toContain('fix:action:applied');
  });

  it('rolls back a fix whose verification fails, leaving the container as before', async () => {
    const name = `${prefix}fragile`;
    const healthCmd = ['test $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes) -gt 100000000000'];
    await runContainer({
      name,
      compose: svc('fragile'),
      limits: false,
      health: healthCmd,
      healthInterval: '1s',
      cmd: ['sleep', '600'],
    });
    await waitFor(
      'fragile healthy',
      async () => (await inspect(client, name)).State.Health?.Status === 'healthy',
    );
    const composeBefore = await readFile(composeFile, 'utf8');
    const { report, snapshot, state } = await runAudit(
      auditOptions(deps, request({ nameFilter: name, profiles: ['later'], only: ['no-memory-limit'] })),
    );
    const plan = planFix(report, snapshot, state, config);
    expect(plan.actions).toHaveLength(1);
    const result = await applyFix(plan, snapshot, {
      docker: client,
      dataDir: deps.dataDir,
      verify: { windowMs: 8000, pollMs: 500 },
    });
    expect(result.outcome, result.summary).toBe('rolled-back');
    expect(result.verification!.problems.join()).toMatch(/unhealthy/);
    expect(result.rollbackErrors).toEqual([]);
    const after = await inspect(client, name);
    expect(after.HostConfig.Memory).toBe(0);
    expect(after.State.Running).toBe(true);
    expect(after.Config.Labels!['com.docker.compose.service']).toBe('fragile');
    expect(await readFile(composeFile, 'utf8')).toBe(composeBefore);
    const journal = await readFile(path.join(result.backupDir!, 'journal.ndjson'), 'utf8');
    expect(journal).toContain('rollback:done');
  });
});
