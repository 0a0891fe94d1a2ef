import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { runMain } from '../../helpers/capture.js';

/**
 * Every flag a doctor subcommand lists in --help reaches it through the whole CLI (the root
 * `sutazai` program included, which is where flags used to be taken by the parent `doctor`).
 */
const dir = path.resolve(import.meta.dirname, '../../fixtures/doctor-flags');
const compose = path.join(dir, 'compose.yaml');
const offline = ['--without', 'docker,listeners,processes,platform'];

const run = runMain;

interface Plan {
  project: string | null;
  actions: unknown[];
  manual: Array<{ ruleId: string; service: string; message: string }>;
}

async function plan(...args: string[]): Promise<Plan> {
  const r = await run(['doctor', 'fix', ...args, '--format', 'json']);
  expect(r.err).toBe('');
  return JSON.parse(r.out) as Plan;
}

const rules = (p: Plan) => p.manual.map((m) => `${m.ruleId}:${m.service}`).sort();

function configFile(body: Record<string, unknown>): { file: string; dataDir: string } {
  const tmp = mkdtempSync(path.join(tmpdir(), 'sutazai-doctor-flags-'));
  const dataDir = path.join(tmp, 'data');
  const file = path.join(tmp, 'sutazai.yaml');
  writeFileSync(file, JSON.stringify({ dataDir, ...body }));
  return { file, dataDir };
}

describe('doctor subcommands honour their flags', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('fix: -f and --format json (the plan is for the named project, as JSON)', async () => {
    const p = await plan('-f', compose, ...offline);
    expect(p.project).toBe('doctor-flags');
    expect(rules(p)).toEqual([]);
    const text = await run(['doctor', 'fix', '-f', compose, ...offline]);
    expect(text.out).toMatch(/^Fix plan for doctor-flags/);
  });

  it('fix: -p, --env-file, --profile, --registry', async () => {
    expect((await plan('-f', compose, '-p', 'renamed', ...offline)).project).toBe('renamed');
    expect(rules(await plan('-f', compose, '--env-file', path.join(dir, 'other.env'), ...offline))).toEqual([
      'port-conflict:web',
    ]);
    expect(rules(await plan('-f', compose, '--profile', 'full', ...offline))).toEqual(['port-conflict:db']);
    expect(
      rules(await plan('-f', compose, '--registry', path.join(dir, 'registry.yaml'), ...offline)),
    ).toEqual(['registry-drift:api']);
  });

  it('fix: --only, --skip, --without', async () => {
    const all = ['-f', compose, '--profile', 'full', '--registry', path.join(dir, 'registry.yaml')];
    expect(rules(await plan(...all, ...offline))).toEqual(['port-conflict:db', 'registry-drift:api']);
    expect(rules(await plan(...all, ...offline, '--only', 'registry-drift'))).toEqual(['registry-drift:api']);
    expect(rules(await plan(...all, ...offline, '--skip', 'registry-drift'))).toEqual(['port-conflict:db']);
    expect(rules(await plan(...all, '--without', 'docker,listeners,processes,platform,registry'))).toEqual([
      'port-conflict:db',
    ]);
  });

  it('fix: -c after the subcommand, before it, and on the root', async () => {
    const { file } = configFile({ doctor: { composeFiles: [compose], projectName: 'from-config' } });
    expect((await plan('-c', file, ...offline)).project).toBe('from-config');
    const before = await run(['doctor', '-c', file, 'fix', ...offline, '--format', 'json']);
    expect((JSON.parse(before.out) as Plan).project).toBe('from-config');
    const root = await run(['-c', file, 'doctor', 'fix', ...offline, '--format', 'json']);
    expect((JSON.parse(root.out) as Plan).project).toBe('from-config');
  });

  it('fix --apply, then backups and rollback with -c', async () => {
    const { file, dataDir } = configFile({});
    const applied = await run([
      'doctor',
      'fix',
      '-c',
      file,
      '-f',
      compose,
      ...offline,
      '--apply',
      '--format',
      'json',
    ]);
    expect(applied.err).toBe('');
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.out)).toMatchObject({ outcome: 'nothing-to-do' });
    expect((await run(['doctor', 'backups', '-c', file])).out).toBe('');
    expect((await run(['doctor', 'rollback', '-c', file])).code).not.toBe(0);
    // A backup under the configured data dir is what `backups` lists and `rollback` restores.
    const { createBackup } = await import('../../../src/ops/fix/backup.js');
    const b = await createBackup(
      dataDir,
      { createdAt: '', project: null, actions: [], kept: [], manual: [] },
      [],
      [],
    );
    await b.saveManifest();
    const listed = await run(['doctor', 'backups', '-c', file]);
    expect(listed.out).toContain(b.manifest.id);
    const restored = await run(['doctor', 'rollback', '-c', file, b.manifest.id]);
    expect(restored.code).toBe(0);
  });

  it('the audit itself still takes the shared flags and --format', async () => {
    const r = await run(['doctor', '-f', compose, '--profile', 'full', ...offline, '--format', 'json']);
    const report = JSON.parse(r.out) as { project: string; findings: Array<{ ruleId: string }> };
    expect(report.project).toBe('doctor-flags');
    expect(report.findings.map((f) => f.ruleId)).toEqual(['port-conflict']);
  });

  it('watch: -f, --profile, --without, --only and --interval-ms reach the watch loop', async () => {
    // A data dir of its own: the outbox persists open episodes, so a shared one (the default,
    // ./.sutazai) would remember the finding from an earlier run and post no finding:new.
    const dataDir = mkdtempSync(path.join(tmpdir(), 'doctor-watch-flags-'));
    vi.stubEnv('SUTAZAI_DATA_DIR', dataDir);
    const events: string[] = [];
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (events.push(String(s)), true));
    const done = main([
      'node',
      'sutazai',
      'doctor',
      'watch',
      '-f',
      compose,
      '--profile',
      'full',
      ...offline,
      '--only',
      'port-conflict',
      '--interval-ms',
      '3600000',
    ]);
    try {
      await vi.waitFor(() => expect(events.join('')).toContain('audit:done'), { timeout: 10_000 });
    } finally {
      process.emit('SIGINT');
      await done;
      o.mockRestore();
      vi.unstubAllEnvs();
    }
    const parsed = events
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; sources?: string[]; finding?: { ruleId: string } });
    expect(parsed.filter((e) => e.type === 'finding:new').map((e) => e.finding!.ruleId)).toEqual([
      'port-conflict',
    ]);
    expect(parsed.find((e) => e.type === 'audit:done')).toMatchObject({
      findings: 1,
      partial: false,
      sources: [],
    });
  });
});
