import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditOptions, loadComposeProject, runAudit } from '../../../src/ops/index.js';
import { runMain } from '../../helpers/capture.js';
import { config, good, memoryEnv } from './helpers.js';

const fx = (...p: string[]) => path.resolve(import.meta.dirname, '../../fixtures/compose', ...p);
const load = (files: string[], env: Record<string, string> = {}) =>
  loadComposeProject({ files: files.map((f) => fx(f)), env });
const byName = (files: string[], env?: Record<string, string>) =>
  Object.fromEntries(load(files, env).services.map((s) => [s.name, s]));

describe('compose include', () => {
  it('joins the included services, relative to the including file, each with its own env file', () => {
    const p = load(['include/compose.yaml'], { REDIS_TAG: '7.2' });
    expect(p.services.map((s) => s.name).sort()).toEqual(['api', 'cache', 'db']);
    const s = Object.fromEntries(p.services.map((x) => [x.name, x]));
    expect(s.cache!.config.image).toBe('redis:7.2');
    expect(s.cache!.memoryLimit).toBe(128 << 20);
    // db.env beside the included file gives PG_TAG; the process env would win over it.
    expect(s.db!.config.image).toBe('postgres:16');
    // Findings about included services point into the included file, which is backed up too.
    expect(s.cache!.location).toEqual({ file: fx('include/sub/compose.yaml'), line: 2 });
    expect(p.files).toEqual(
      expect.arrayContaining([
        fx('include/compose.yaml'),
        fx('include/sub/compose.yaml'),
        fx('include/other/db.yaml'),
      ]),
    );
  });

  it('containers of included services are not orphans', async () => {
    const env = memoryEnv();
    env.docker.containers.push(
      good('1', 'inc', 'api'),
      good('2', 'inc', 'cache'),
      good('3', 'inc', 'db'),
      good('4', 'inc', 'gone'),
    );
    const { report } = await runAudit(
      auditOptions(
        { config, dataDir: '/nonexistent', docker: env.docker, stateStore: env.stateStore },
        {
          files: [fx('include/compose.yaml')],
          without: ['listeners', 'processes'],
          only: ['orphan-container'],
        },
      ),
    );
    expect(report.findings.map((f) => `${f.ruleId}:${f.service}`)).toEqual(['orphan-container:gone']);
  });

  it('refuses include cycles and resources defined on both sides, with file:line', () => {
    expect(() => load(['include/cycle-a.yaml'])).toThrow(
      /include cycle: .*cycle-a\.yaml → .*cycle-b\.yaml → .*cycle-a\.yaml/,
    );
    expect(() => load(['include/conflict.yaml'])).toThrow(
      /conflict\.yaml:4: services\.cache conflicts with the one imported from .*sub\/compose\.yaml/,
    );
  });
});

describe('compose extends', () => {
  it('merges the base under the local definition; depends_on is not inherited', () => {
    const s = byName(['extends/compose.yaml']);
    expect(s.worker!.config).toEqual({
      image: 'sutazai/base',
      environment: { LOG: 'debug' },
      mem_limit: '256m',
      command: ['run'],
    });
    expect(s.worker!.memoryLimit).toBe(256 << 20);
    expect(s.worker!.location?.line).toBe(9);
  });

  it('extends a service of another file, relative to the extending file', () => {
    const s = byName(['extends/compose.yaml']);
    expect(s.remote!.config).toEqual({ image: 'nginx', ports: ['8080:80', '8081:80'], cpus: 0.5 });
    expect(s.remote!.ports.map((p) => p.hostPort)).toEqual([8080, 8081]);
    expect(s.remote!.cpuLimit).toBe(0.5);
    expect(s).not.toHaveProperty('webapp');
  });

  it('refuses circular extends with file:line', () => {
    expect(() => load(['extends/cycle.yaml'])).toThrow(/cycle\.yaml:3: circular extends: a → b → a/);
  });
});

describe('!reset and !override', () => {
  it('removes and replaces values an earlier file set', () => {
    const app = byName(['reset/compose.yaml', 'reset/override.yaml']).app!;
    expect(app.config).toEqual({ image: 'sutazai/app', ports: ['8000:80'] });
    expect(app.memoryLimit).toBeUndefined();
    expect(app.ports.map((p) => p.hostPort)).toEqual([8000]);
  });

  it('without the override file the values merge as usual', () => {
    const app = byName(['reset/compose.yaml']).app!;
    expect(app.ports.map((p) => p.hostPort)).toEqual([8080, 9090]);
  });
});

describe('errors the reference implementation makes fatal', () => {
  it('a service with neither image nor build', () => {
    expect(() => load(['errors/no-image.yaml'])).toThrow(
      /no-image\.yaml:5: service "broken" has neither an image nor a build context specified/,
    );
  });
  it('duplicate volume targets in one service', () => {
    expect(() => load(['errors/dup-volume.yaml'])).toThrow(
      /dup-volume\.yaml:4: service "app" has duplicate volume mount target \/data/,
    );
  });
  it('make `sutazai doctor` exit 2 with file:line', async () => {
    const r = await runMain([
      'doctor',
      '-f',
      fx('errors/no-image.yaml'),
      '--without',
      'docker,listeners,processes,platform',
    ]);
    expect(r.code).toBe(2);
    expect(r.out + r.err).toContain(`${fx('errors/no-image.yaml')}:5: service "broken" has neither an image`);
  });
  it('a dependency on an undefined service', () => {
    expect(() => load(['errors/depends.yaml'])).toThrow(
      /depends\.yaml:4: service "app" depends on undefined service "ghost"/,
    );
  });
});

describe('relative paths in included and extended-from files', () => {
  it('resolve against the included file, its project_directory, or the extended file', () => {
    const s = byName(['relpaths/compose.yaml']);
    const d = (...p: string[]) => fx('relpaths', ...p);
    // The main file's paths stay as written.
    expect(s.main!.config.build).toBe('./main');
    expect(s.main!.config.volumes).toEqual(['./main-data:/data']);
    // An included file: relative to its own directory.
    expect(s.inc!.config.build).toEqual({ context: d('sub/app'), dockerfile: 'Dockerfile' });
    expect(s.inc!.config.env_file).toEqual([
      d('sub/app.env'),
      { path: d('sub/optional.env'), required: false },
    ]);
    expect(s.inc!.config.volumes).toEqual([
      `${d('sub/data')}:/data:ro`,
      { type: 'bind', source: d('sub/conf'), target: '/conf' },
      'named:/cache',
      '/abs:/abs',
    ]);
    // extends.file inside the included file was resolved against it (the base was found there).
    expect(s.inc!.config.labels).toEqual({ from: 'more' });
    // An include with project_directory: relative to that directory.
    expect(s.pdsvc!.config.build).toBe(d('base/ctx'));
    // extends from another file: relative to that file's directory.
    expect(s.child!.config.build).toBe(d('base/common-ctx'));
    expect(s.child!.config.env_file).toBe(d('base/common.env'));
    expect(s.child!.config.volumes).toEqual([`${d('shared')}:/shared`]);
  });
});

describe('COMPOSE_PROFILES', () => {
  const active = (env: Record<string, string>, profiles?: string[]) =>
    loadComposeProject({ files: [fx('relpaths/profiles.yaml')], env, ...(profiles ? { profiles } : {}) })
      .services.filter((x) => x.active)
      .map((x) => x.name)
      .sort();

  it('enables profiles like --profile, including "*", and --profile wins over it', () => {
    expect(active({})).toEqual(['always']);
    expect(active({ COMPOSE_PROFILES: 'debug' })).toEqual(['always', 'debug']);
    expect(active({ COMPOSE_PROFILES: 'debug, extra' })).toEqual(['always', 'debug', 'extra']);
    expect(active({ COMPOSE_PROFILES: '*' })).toEqual(['always', 'debug', 'extra']);
    expect(active({ COMPOSE_PROFILES: 'debug' }, ['extra'])).toEqual(['always', 'extra']);
  });
});
