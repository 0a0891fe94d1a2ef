import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyFix,
  auditOptions,
  fakeContainer,
  isIrreversible,
  planFix,
  renderFixPlan,
  runAudit,
  type AuditDeps,
} from '../../../src/ops/index.js';
import { composeLabels, config, good, memoryEnv } from './helpers.js';

const ANON = 'a'.repeat(64);

async function sprawl() {
  const dir = await mkdtemp(path.join(tmpdir(), 'fix-plan-'));
  const file = path.join(dir, 'compose.yaml');
  await writeFile(
    file,
    `name: seed\nservices:\n  api:\n    image: x\n  redis:\n    image: redis:7\n    deploy: { resources: { limits: { memory: 64M, cpus: "0.5" } } }\n`,
  );
  const env = memoryEnv();
  // api runs without limits; `old` is an orphan of the project, also without limits.
  env.docker.containers.push(
    fakeContainer({
      id: 'a'.repeat(12).padEnd(64, '1'),
      name: 'seed-api-1',
      labels: composeLabels('seed', 'api'),
    }),
    fakeContainer({
      id: 'b'.repeat(12).padEnd(64, '2'),
      name: 'seed-old-1',
      labels: composeLabels('seed', 'old'),
    }),
    good('c', 'seed', 'redis'),
  );
  env.docker.volumes.push(
    {
      Name: 'seed_unused_models',
      Labels: { 'com.docker.compose.project': 'seed' },
      UsageData: { Size: 10, RefCount: 0 },
    },
    { Name: ANON, Labels: {}, UsageData: { Size: 5, RefCount: 0 } },
  );
  const deps: AuditDeps = {
    config,
    dataDir: path.join(dir, 'data'),
    docker: env.docker,
    stateStore: env.stateStore,
  };
  const { report, snapshot, state } = await runAudit({
    ...auditOptions(deps, { files: [file], without: ['listeners', 'processes'] }),
    stats: 'all',
  });
  return { env, deps, report, snapshot, state, dir };
}

describe('fix plans never destroy before they verify', () => {
  it('folds the findings about a removed container into its removal, and orders removals last', async () => {
    const { report, snapshot, state } = await sprawl();
    const rules = report.findings.filter((f) => f.container === 'seed-old-1').map((f) => f.ruleId);
    expect(rules).toEqual(expect.arrayContaining(['orphan-container', 'no-memory-limit', 'no-cpu-limit']));
    const plan = planFix(report, snapshot, state, config);
    const kinds = plan.actions.map((a) => a.kind);
    expect(kinds).toEqual(['set-limits', 'remove-container', 'remove-volumes']);
    const onOrphan = plan.actions.filter((a) => 'container' in a && a.container === 'seed-old-1');
    expect(onOrphan).toHaveLength(1);
    expect(onOrphan[0]).toMatchObject({
      kind: 'remove-container',
      folded: ['no-memory-limit', 'no-cpu-limit'],
    });
    const firstIrreversible = plan.actions.findIndex(isIrreversible);
    expect(plan.actions.slice(firstIrreversible).every(isIrreversible)).toBe(true);
    expect(renderFixPlan(plan)).toMatch(/1\. Reversible[\s\S]*2\. Irreversible/);
  });

  it('says when usage evidence is insufficient and which source each limit came from', async () => {
    const { report, snapshot, state } = await sprawl();
    const f = report.findings.find((x) => x.ruleId === 'no-memory-limit' && x.container === 'seed-api-1')!;
    expect(f.message).toMatch(/usage evidence insufficient: (only 1 sample|no usage history)/);
    expect(f.evidence.evidence).toMatch(/^insufficient/);
    const plan = planFix(report, snapshot, state, config);
    expect(plan.actions[0]).toMatchObject({
      kind: 'set-limits',
      memory: 512 << 20,
      cpus: 0.5,
      sources: { memory: 'kind-default', cpus: 'kind-default' },
    });
    expect(renderFixPlan(plan)).toMatch(/memory 512 MiB: default for default 512 MiB: (only|no usage)/);
  });

  it('uses the optimizer’s recommendation for a container with no limit when its history gave one', async () => {
    const { report, snapshot, state } = await sprawl();
    const recs = new Map([
      ['seed-api-1', { bytes: 345 << 20, basis: 'peak 300 MiB over 7 d plus 15 % margin' }],
    ]);
    const plan = planFix(report, snapshot, state, config, { memoryRecommendations: recs });
    expect(plan.actions[0]).toMatchObject({
      kind: 'set-limits',
      container: 'seed-api-1',
      memory: 345 << 20,
      sources: { memory: 'optimizer', cpus: 'kind-default' },
    });
    expect(renderFixPlan(plan)).toMatch(/memory 345 MiB: optimizer recommendation \(peak 300 MiB/);
  });

  it('keeps named volumes unless the operator names them', async () => {
    const { report, snapshot, state } = await sprawl();
    const plan = planFix(report, snapshot, state, config);
    expect(plan.actions.find((a) => a.kind === 'remove-volumes')).toMatchObject({ names: [ANON] });
    expect(plan.kept).toContainEqual({
      resource: 'volume seed_unused_models',
      reason: expect.stringContaining('--remove-volume seed_unused_models'),
    });
    const named = planFix(report, snapshot, state, config, { removeVolumes: ['seed_unused_models'] });
    expect(named.actions.find((a) => a.kind === 'remove-volumes')).toMatchObject({
      names: ['seed_unused_models', ANON],
    });
  });

  it('keeps removals inside --name-filter: no unnamed images, only matching volumes', async () => {
    const { report, snapshot, state } = await sprawl();
    snapshot.dangling!.images.push({ Id: 'sha256:dead', Size: 1 });
    report.findings.push({ ...report.findings[0]!, ruleId: 'dangling-images' });
    const plan = planFix(report, snapshot, state, config, {
      nameFilter: '^seed_',
      removeVolumes: ['seed_unused_models'],
    });
    expect(plan.actions.find((a) => a.kind === 'remove-volumes')).toMatchObject({
      names: ['seed_unused_models'],
    });
    expect(plan.actions.some((a) => a.kind === 'remove-images')).toBe(false);
    expect(plan.kept.map((k) => k.resource)).toContain('dangling images');
  });

  it('runs no removal when verification fails, and rolls back the reversible phase', async () => {
    const { env, deps, report, snapshot, state } = await sprawl();
    const plan = planFix(report, snapshot, state, config);
    // The api container dies as soon as it is limited: verification must fail.
    const api = env.docker.containers.find((c) => c.Name === '/seed-api-1')!;
    const update = env.docker.updateContainer.bind(env.docker);
    env.docker.updateContainer = async (id, u) => {
      await update(id, u);
      if (u.Memory) api.State.Running = false;
    };
    const result = await applyFix(plan, snapshot, {
      docker: env.docker,
      dataDir: deps.dataDir,
      verify: { windowMs: 0, pollMs: 1 },
      sleep: async () => {},
    });
    expect(result.outcome, result.summary).toBe('rolled-back');
    expect(result.summary).toContain('2 irreversible action(s) not run');
    const ops = env.docker.calls.map((c) => c.op);
    expect(ops).not.toContain('remove-volume');
    expect(ops.filter((o) => o === 'remove')).toEqual(['remove']); // only the recreate's old copy
    expect(env.docker.containers.some((c) => c.Name === '/seed-old-1')).toBe(true);
    expect(env.docker.volumes.map((v) => v.Name).sort()).toEqual([ANON, 'seed_unused_models'].sort());
  });

  it('removes after verification, each once; rollback recreates what it can and lists the rest', async () => {
    const { env, deps, report, snapshot, state } = await sprawl();
    snapshot.dangling!.images.push({ Id: 'sha256:dead', Size: 7 });
    env.docker.images.push({ Id: 'sha256:dead', Size: 7 });
    report.findings.push({ ...report.findings[0]!, ruleId: 'dangling-images' });
    const plan = planFix(report, snapshot, state, config);
    const result = await applyFix(plan, snapshot, {
      docker: env.docker,
      dataDir: deps.dataDir,
      verify: { windowMs: 0, pollMs: 1 },
      sleep: async () => {},
    });
    expect(result.outcome, result.summary).toBe('applied');
    expect(result.bytesFreed).toBe(5 + 7);
    // (remove:mem… is the never-started helper that archived the volume before its removal)
    const ops = env.docker.calls
      .map((c) => `${c.op}:${c.id?.slice(0, 4)}`)
      .filter((o) => !o.endsWith(':mem3'));
    expect(ops.filter((o) => o.startsWith('remove'))).toEqual([
      'remove:bbbb',
      'remove-image:sha2',
      'remove-volume:aaaa',
    ]);
    // Nothing was asked of the orphan after it was gone (the 404 that rolled everything back).
    const afterRemoval = ops.slice(ops.indexOf('remove:bbbb') + 1);
    expect(afterRemoval.some((o) => o.endsWith(':bbbb'))).toBe(false);
    const { rollback, loadBackup } = await import('../../../src/ops/index.js');
    const rb = await rollback(env.docker, await loadBackup(deps.dataDir, result.backupDir!));
    expect(rb.errors).toEqual([]);
    expect(env.docker.containers.some((c) => c.Name === '/seed-old-1')).toBe(true);
    expect(env.docker.volumes.map((v) => v.Name)).toContain(ANON);
    expect(rb.notRestored).toEqual([
      expect.stringMatching(/^image sha256:dead: deleted images cannot be restored/),
    ]);
  });
});
