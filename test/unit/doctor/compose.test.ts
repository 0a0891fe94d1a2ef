import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ComposeError,
  interpolate,
  loadComposeProject,
  normalizeProjectName,
  parseDotEnv,
} from '../../../src/ops/index.js';
import { parsePorts } from '../../../src/ops/compose/units.js';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/compose');

describe('interpolation', () => {
  const env = { SET: 'v', EMPTY: '' };
  it('expands ${VAR}, $VAR, defaults, alternatives and $$', () => {
    expect(interpolate('${SET}-$SET-${NOPE}', env)).toBe('v-v-');
    expect(interpolate('${EMPTY:-d} ${EMPTY-d} ${NOPE-d}', env)).toBe('d  d');
    expect(interpolate('${SET:+alt} ${EMPTY:+alt} ${EMPTY+alt}', env)).toBe('alt  alt');
    expect(interpolate('$$HOME costs $$5', env)).toBe('$HOME costs $5');
    expect(interpolate('${NOPE:-${SET}x}', env)).toBe('vx');
  });
  it('fails on ${VAR:?err} and ${VAR?err} with the message', () => {
    expect(() => interpolate('${EMPTY:?set it}', env)).toThrow(/EMPTY.*set it/);
    expect(interpolate('${EMPTY?set it}', env)).toBe('');
    expect(() => interpolate('${NOPE?gone}', env)).toThrow(/NOPE/);
  });
  it('parses .env files', () => {
    expect(parseDotEnv('# c\nA=1\nexport B="two words"\nC=\'$x\'\nD=plain # note\n')).toEqual({
      A: '1',
      B: 'two words',
      C: '$x',
      D: 'plain',
    });
  });
});

describe('compose reader', () => {
  it('interpolates with .env under the process env, resolves profiles and replicas 0', () => {
    const p = loadComposeProject({
      files: [path.join(fixtures, 'basic/compose.yaml')],
      env: { API_PORT: '18080' },
    });
    expect(p.name).toBe('basic');
    const api = p.services.find((s) => s.name === 'api')!;
    expect(api.config.image).toBe('sutazai/api:1.2.3');
    expect(api.ports).toEqual([{ hostIp: '', hostPort: 18080, containerPort: 10010, protocol: 'tcp' }]);
    expect(api.config.environment).toEqual({ PRICE: '$5', MODE: 'set' });
    expect(api.location).toEqual({ file: path.join(fixtures, 'basic/compose.yaml'), line: 3 });
    expect(api.keyLocations.ports!.line).toBe(5);
    const db = p.services.find((s) => s.name === 'db')!;
    expect(db.active).toBe(false);
    expect(db.memoryLimit).toBe(1024 ** 3);
    expect(db.kind).toBe('database');
    expect(p.services.find((s) => s.name === 'worker')!.active).toBe(false);
    const full = loadComposeProject({
      files: [path.join(fixtures, 'basic/compose.yaml')],
      env: {},
      profiles: ['full'],
    });
    expect(full.services.find((s) => s.name === 'db')!.active).toBe(true);
    const viaEnv = loadComposeProject({
      files: [path.join(fixtures, 'basic/compose.yaml')],
      env: { COMPOSE_PROFILES: 'x,full' },
    });
    expect(viaEnv.services.find((s) => s.name === 'db')!.active).toBe(true);
  });

  it('merges several -f files in order', () => {
    const files = ['multi/base.yaml', 'multi/override.yaml'].map((f) => path.join(fixtures, f));
    const p = loadComposeProject({ files, env: {} });
    expect(p.name).toBe('multi');
    const web = p.services.find((s) => s.name === 'web')!;
    expect(web.ports.map((x) => x.hostPort)).toEqual([8080, 8443]);
    expect(web.config.environment).toEqual({ A: '1', B: '3' });
    expect(web.config.command).toEqual(['nginx']);
    expect(web.memoryLimit).toBe(256 * 1024 * 1024);
    expect(web.cpuLimit).toBe(0.5);
    expect(web.keyLocations['deploy.resources.limits']!.file).toBe(files[1]);
    expect(p.services.map((s) => s.name)).toEqual(['web', 'cache']);
    expect(p.services.find((s) => s.name === 'cache')!.kind).toBe('cache');
  });

  it('applies the project name rules: -p, COMPOSE_PROJECT_NAME, name:, directory', async () => {
    const files = [path.join(fixtures, 'multi/base.yaml')];
    expect(loadComposeProject({ files, env: { PROJECT: 'fromname' } }).name).toBe('fromname');
    expect(loadComposeProject({ files, env: { COMPOSE_PROJECT_NAME: 'fromenv' } }).name).toBe('fromenv');
    expect(
      loadComposeProject({ files, env: { COMPOSE_PROJECT_NAME: 'fromenv' }, projectName: 'flag' }).name,
    ).toBe('flag');
    expect(() => loadComposeProject({ files, env: {}, projectName: 'Bad Name' })).toThrow(ComposeError);
    expect(normalizeProjectName('My.App_1-x')).toBe('myapp_1-x');
    const dir = path.join(await mkdtemp(path.join(tmpdir(), 'doc-')), '_My.Project');
    await mkdir(dir);
    await writeFile(path.join(dir, 'compose.yaml'), 'services: {}\n');
    expect(loadComposeProject({ cwd: dir, env: {} }).name).toBe('myproject');
  });

  it('reports malformed YAML with file:line', () => {
    const file = path.join(fixtures, 'bad/compose.yaml');
    expect(() => loadComposeProject({ files: [file], env: {} })).toThrow(ComposeError);
    try {
      loadComposeProject({ files: [file], env: {} });
    } catch (err) {
      expect((err as ComposeError).file).toBe(file);
      expect((err as ComposeError).line).toBeGreaterThanOrEqual(4);
      expect((err as Error).message).toMatch(new RegExp(`^${file}:\\d+: `));
    }
  });

  it('names the line of a required variable that is missing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'doc-'));
    await writeFile(
      path.join(dir, 'compose.yaml'),
      'services:\n  a:\n    image: x\n    environment:\n      K: ${NEED:?set NEED}\n',
    );
    expect(() => loadComposeProject({ cwd: dir, env: {} })).toThrow(
      /compose\.yaml:5: required variable NEED/,
    );
  });

  it('requires a reason for x-sutazai suppressions', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'doc-'));
    await writeFile(
      path.join(dir, 'compose.yaml'),
      'services:\n  a:\n    image: x\n    x-sutazai:\n      suppress: [{ rule: no-cpu-limit }]\n',
    );
    expect(() => loadComposeProject({ cwd: dir, env: {} })).toThrow(/needs a reason/);
  });

  it('parses short and long port syntax', () => {
    expect(
      parsePorts([
        '80',
        '127.0.0.1:8080:80/udp',
        '9000-9001:9000-9001',
        { target: 80, published: '8081', host_ip: '::1' },
      ]),
    ).toEqual([
      { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'udp' },
      { hostIp: '', hostPort: 9000, containerPort: 9000, protocol: 'tcp' },
      { hostIp: '', hostPort: 9001, containerPort: 9001, protocol: 'tcp' },
      { hostIp: '::1', hostPort: 8081, containerPort: 80, protocol: 'tcp' },
    ]);
  });
});

describe("SutazAI's own deploy files", () => {
  it('agree with deploy/port-registry.yaml and declare limits and healthchecks everywhere', async () => {
    const { runAudit, MemoryStateStore, ruleOptionsFrom } = await import('../../../src/ops/index.js');
    const { DoctorConfigSchema } = await import('../../../src/config/schema.js');
    const root = path.resolve(import.meta.dirname, '../../..');
    const files = ['compose.yaml', 'compose.standard.yaml', 'compose.monitoring.yaml'].map((f) =>
      path.join(root, 'deploy/compose', f),
    );
    const env = {
      SUTAZAI_ADMIN_PASSWORD: 'x'.repeat(16),
      POSTGRES_PASSWORD: 'p',
      GRAFANA_ADMIN_PASSWORD: 'g',
      SUTAZAI_MCP_GATEWAY_TOKEN: 't'.repeat(32),
    };
    const { report } = await runAudit({
      compose: { files, env },
      registryFile: path.join(root, 'deploy/port-registry.yaml'),
      rules: ruleOptionsFrom(DoctorConfigSchema.parse({})),
      stateStore: new MemoryStateStore(),
    });
    expect(report.sources.filter((s) => s.status === 'failed')).toEqual([]);
    expect(report.findings).toEqual([]);
    const project = loadComposeProject({ files, env });
    expect(project.services.map((s) => s.name).sort()).toEqual([
      'alertmanager',
      'grafana',
      'ollama',
      'postgres',
      'prometheus',
      'redis',
      'sutazai',
      'sutazai-gateway',
      'sutazai-worker',
    ]);
    for (const s of project.services) {
      expect(s.memoryLimit, s.name).toBeGreaterThan(0);
      expect(s.cpuLimit, s.name).toBeGreaterThan(0);
      expect(s.config.healthcheck, s.name).toBeDefined();
    }
  });
});
