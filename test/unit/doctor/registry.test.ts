import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPortRegistry, runAudit, type Finding } from '../../../src/ops/index.js';
import { memoryEnv, rules } from './helpers.js';

const dir = path.resolve(import.meta.dirname, '../../fixtures/doctor-registry');
const forms = ['list.yaml', 'services-map.yaml', 'grouped.yaml'];

/** A /proc with LISTEN sockets on `ports` (0.0.0.0), enough for the listener source. */
async function fakeProc(ports: number[]): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'doc-registry-proc-'));
  await mkdir(path.join(root, 'net'));
  const rows = ports.map(
    (p, i) =>
      `   ${i}: 00000000:${p.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 ${1000 + i} 1`,
  );
  await writeFile(
    path.join(root, 'net/tcp'),
    ['  sl  local_address rem_address   st', ...rows, ''].join('\n'),
  );
  return root;
}

async function drift(registry: string, listening?: number[]): Promise<Finding[]> {
  const env = memoryEnv();
  const { report } = await runAudit({
    compose: { files: [path.join(dir, 'compose.yaml')], env: {} },
    registryFile: path.resolve(dir, registry),
    listeners: listening !== undefined,
    ...(listening ? { procRoot: await fakeProc(listening) } : {}),
    processes: false,
    rules,
    stateStore: env.stateStore,
  });
  expect(report.partial).toBe(false);
  return report.findings.filter((f) => f.ruleId === 'registry-drift');
}

describe('port registry forms', () => {
  it.each(forms)('%s reads to the same entries, with lines', (file) => {
    const reg = loadPortRegistry(path.join(dir, file));
    expect(reg.entries.map((e) => [e.service, e.port])).toEqual([
      ['backend', 10010],
      ['postgres', 10000],
      ['ollama_integration', 8090],
    ]);
    for (const e of reg.entries) expect(e.location.line).toBeGreaterThan(1);
  });

  it('keeps containerPort from the map form and refuses a port reserved twice, with its line', async () => {
    expect(loadPortRegistry(path.join(dir, 'services-map.yaml')).entries[1]).toMatchObject({
      containerPort: 5432,
      location: { line: 3 },
    });
    const tmp = await mkdtemp(path.join(tmpdir(), 'doc-registry-'));
    const dup = path.join(tmp, 'r.yaml');
    await writeFile(dup, 'core_services:\n  backend: 10010\nagents:\n  crew: 10010\n');
    expect(() => loadPortRegistry(dup)).toThrow(/:4: port 10010 is already reserved for backend/);
    await writeFile(dup, 'core_services:\n  backend: not-a-port\n');
    expect(() => loadPortRegistry(dup)).toThrow(/:2: each entry needs service/);
  });

  it.each(forms)(
    '%s: an entry defined in no compose file is registry-drift "documented, defined nowhere"',
    async (file) => {
      const found = await drift(file);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        service: 'ollama_integration',
        evidence: { kind: 'defined-nowhere', registryPort: 8090 },
        location: { file: path.join(dir, file) },
      });
      expect(found[0]!.message).toContain('documented, defined nowhere');
    },
  );

  it('an entry of an opt-in tier is not drift when no compose file defines it, and is checked when one does', async () => {
    const tmp = await mkdtemp(path.join(tmpdir(), 'doc-registry-tier-'));
    const reg = path.join(tmp, 'r.yaml');
    await writeFile(
      reg,
      'version: 1\nports:\n  - { service: backend, port: 10010 }\n  - { service: postgres, port: 10000 }\n' +
        '  - { service: grafana, port: 10201, tier: monitoring }\n  - { service: ollama_integration, port: 8090, tier: llm }\n',
    );
    expect(loadPortRegistry(reg).entries[2]).toMatchObject({ service: 'grafana', tier: 'monitoring' });
    expect(await drift(reg)).toEqual([]);
    // The fixture's compose defines postgres on 10000: a tier entry that disagrees is still drift.
    await writeFile(reg, 'version: 1\nports:\n  - { service: postgres, port: 10002, tier: standard }\n');
    expect((await drift(reg)).map((f) => f.service)).toEqual(['postgres']);
  });

  it('an entry whose port has no listener while its service should run is registry-drift', async () => {
    const found = await drift('grouped.yaml', [10010]);
    expect(found.map((f) => [f.service, f.evidence.kind])).toEqual([
      ['ollama_integration', 'defined-nowhere'],
      ['postgres', 'no-listener'],
    ]);
    expect(found[1]!.message).toMatch(/nothing listens on 10000/);
    // Both listening: only the phantom entry is left.
    expect((await drift('grouped.yaml', [10010, 10000])).map((f) => f.service)).toEqual([
      'ollama_integration',
    ]);
  });
});
