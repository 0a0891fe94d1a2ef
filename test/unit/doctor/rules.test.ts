import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeFor, fakeContainer, runAudit, type AuditOptions } from '../../../src/ops/index.js';
import { composeLabels, good, memoryEnv, rules } from './helpers.js';

async function project(text: string, extra: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'doc-rules-'));
  await writeFile(path.join(dir, 'compose.yaml'), text);
  for (const [name, body] of Object.entries(extra)) await writeFile(path.join(dir, name), body);
  return dir;
}

const twoServices = `name: p
services:
  a:
    image: busybox
    ports: ["10010:80"]
  b:
    image: busybox
    x-sutazai:
      suppress:
        - { rule: no-cpu-limit, reason: "bursty batch job, reviewed" }
`;

function base(
  dir: string,
  env: ReturnType<typeof memoryEnv>,
  extra: Partial<AuditOptions> = {},
): AuditOptions {
  return { docker: env.docker, compose: { cwd: dir, env: {} }, rules, stateStore: env.stateStore, ...extra };
}

describe('audit rules over an in-memory engine', () => {
  it('is clean when everything declared runs with limits and healthchecks', async () => {
    const dir = await project(twoServices.replace(/ {4}x-sutazai:[\s\S]*$/, ''));
    const env = memoryEnv();
    env.docker.containers.push(good('a1', 'p', 'a'), good('b1', 'p', 'b'));
    const { report } = await runAudit(base(dir, env));
    expect(report.findings).toEqual([]);
    expect(exitCodeFor(report)).toBe(0);
  });

  it('keeps suppressed findings visible and out of the exit code', async () => {
    const dir = await project(twoServices);
    const env = memoryEnv();
    const b = good('b1', 'p', 'b');
    b.HostConfig.NanoCpus = 0;
    env.docker.containers.push(good('a1', 'p', 'a'), b);
    const { report } = await runAudit(base(dir, env, { suppressions: [] }));
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({
      ruleId: 'no-cpu-limit',
      suppressed: { reason: 'bursty batch job, reviewed' },
    });
    expect(report.findings[0]!.suppressed!.source).toMatch(/^compose:.*compose\.yaml:\d+$/);
    expect(report.summary).toMatchObject({ total: 1, suppressed: 1 });
    expect(exitCodeFor(report, 'info')).toBe(0);
  });

  it('applies config suppressions by rule and service', async () => {
    const dir = await project(twoServices);
    const env = memoryEnv();
    env.docker.containers.push(good('b1', 'p', 'b'));
    const { report } = await runAudit(
      base(dir, env, {
        suppressions: [{ rule: 'phantom-service', service: 'a', reason: 'started on demand' }],
      }),
    );
    expect(report.findings.map((f) => [f.ruleId, f.suppressed?.source])).toEqual([
      ['phantom-service', 'config'],
    ]);
  });

  it('detects a stale container once the declaration changes after the baseline', async () => {
    const dir = await project(twoServices);
    const env = memoryEnv();
    env.docker.containers.push(good('a1', 'p', 'a'), good('b1', 'p', 'b'));
    expect((await runAudit(base(dir, env, { only: ['stale-container'] }))).report.findings).toEqual([]);
    await writeFile(path.join(dir, 'compose.yaml'), twoServices.replace('10010:80', '10011:80'));
    const { report } = await runAudit(base(dir, env, { only: ['stale-container'] }));
    expect(report.findings.map((f) => f.service)).toEqual(['a']);
    // compose recreated it: the label changes and the baseline moves on
    env.docker.containers[0]!.Config.Labels = composeLabels('p', 'a', 'h2');
    expect((await runAudit(base(dir, env, { only: ['stale-container'] }))).report.findings).toEqual([]);
  });

  it('flags registry drift between registry, compose and live ports', async () => {
    const dir = await project(twoServices, {
      'reg.yaml': 'version: 1\nports:\n  - { service: a, port: 10020 }\n  - { service: z, port: 10010 }\n',
    });
    const env = memoryEnv();
    const a = good('a1', 'p', 'a');
    a.NetworkSettings = { Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '10010' }] } };
    env.docker.containers.push(a, good('b1', 'p', 'b'));
    const { report } = await runAudit(
      base(dir, env, { registryFile: path.join(dir, 'reg.yaml'), only: ['registry-drift'] }),
    );
    const messages = report.findings.map((f) => f.message);
    expect(messages).toHaveLength(4);
    expect(messages.join('\n')).toMatch(/reserves for z/);
    expect(messages.join('\n')).toMatch(/documents z on 10010, but no compose file defines it/);
    expect(messages.join('\n')).toMatch(/registry says a is on 10020; compose declares 10010/);
    expect(messages.join('\n')).toMatch(/running container publishes 10010/);
  });

  it('finds restart loops from events, dangling resources, memory pressure and port clashes between projects', async () => {
    const dir = await project(twoServices);
    const env = memoryEnv();
    const now = Date.now();
    const a = good('a1', 'p', 'a');
    const other = fakeContainer({
      id: 'o1'.padEnd(64, '0'),
      name: 'q-web-1',
      labels: composeLabels('q', 'web'),
      memory: 1,
      nanoCpus: 1,
    });
    other.NetworkSettings = { Ports: { '80/tcp': [{ HostIp: '', HostPort: '10010' }] } };
    env.docker.containers.push(a, good('b1', 'p', 'b'), other);
    const t = Math.floor(now / 1000) - 100;
    for (let i = 0; i < 3; i++)
      env.docker.pastEvents.push(
        { Type: 'container', Action: 'start', Actor: { ID: a.Id, Attributes: {} }, time: t + i * 10 },
        {
          Type: 'container',
          Action: 'die',
          Actor: { ID: a.Id, Attributes: { exitCode: '1' } },
          time: t + i * 10 + 2,
        },
      );
    env.docker.images.push({ Id: 'sha256:dead', Size: 1000 });
    env.docker.volumes.push({ Name: 'v1', UsageData: { Size: 500, RefCount: 0 } });
    env.docker.stats.set(a.Id, { usage: 63 << 20, limit: 64 << 20 });
    const { report } = await runAudit(base(dir, env, { now: () => now }));
    const ids = report.findings.map((f) => `${f.ruleId} ${f.service}`);
    expect(ids).toEqual(
      expect.arrayContaining([
        'restart-loop a',
        'memory-pressure a',
        'port-conflict a',
        'dangling-images (host)',
        'dangling-volumes (host)',
      ]),
    );
    expect(report.findings.find((f) => f.ruleId === 'dangling-images')!.evidence.reclaimableBytes).toBe(1000);
    expect(report.findings.find((f) => f.ruleId === 'port-conflict')!.evidence.kind).toBe('between-projects');
    expect(report.findings[0]!.severity).toBe('high');
  });

  it('counts processes against budgets by normalised command line', async () => {
    const env = memoryEnv();
    const procRoot = await mkdtemp(path.join(tmpdir(), 'proc-'));
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.join(procRoot, 'net'));
    await writeFile(path.join(procRoot, 'net/tcp'), 'sl local rem st\n');
    for (let pid = 100; pid < 104; pid++) {
      await mkdir(path.join(procRoot, String(pid)));
      await writeFile(path.join(procRoot, String(pid), 'stat'), `${pid} (node) S 1 ${'0 '.repeat(19)}25 0`);
      await writeFile(
        path.join(procRoot, String(pid), 'cmdline'),
        `node\0/tmp/npx/${pid}/mcp-server-memory\0--port\0${4000 + pid}\0`,
      );
    }
    const { report } = await runAudit({
      processes: true,
      procRoot,
      rules: { ...rules, processBudgets: [{ name: 'MCP servers', match: 'mcp-server', max: 3 }] },
      stateStore: env.stateStore,
    });
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]!.evidence).toMatchObject({
      count: 4,
      max: 3,
      fingerprints: [{ fingerprint: 'node mcp-server-memory --port N', count: 4 }],
    });
  });

  it('names a failed source and makes the view partial (exit 2)', async () => {
    const dir = await project('services:\n  a: [\n');
    const env = memoryEnv();
    const { report } = await runAudit(base(dir, env));
    const compose = report.sources.find((s) => s.name === 'compose')!;
    expect(compose.status).toBe('failed');
    expect(compose.reason).toMatch(/compose\.yaml:\d+:/);
    expect(report.partial).toBe(true);
    expect(exitCodeFor(report)).toBe(2);
  });
});
