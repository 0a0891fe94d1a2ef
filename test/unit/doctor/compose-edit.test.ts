import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyFix,
  editLimits,
  fakeContainer,
  loadComposeProject,
  type FixPlan,
} from '../../../src/ops/index.js';
import { composeLabels, memoryEnv } from './helpers.js';

/** Lines of `after` that are not in `before`, requiring every line of `before` to be kept in order. */
function addedLines(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const added: string[] = [];
  let i = 0;
  for (const line of b) {
    if (i < a.length && line === a[i]) i++;
    else added.push(line);
  }
  expect(i, 'every original line is still there, in order').toBe(a.length);
  return added;
}

// Written as people write compose files: aligned trailing comments, flow sequences with their
// own spacing, mixed quoting, blank lines between services.
const seed = `# seed-like project
name: seed

services:
  backend:            # the API
    image: "sutazai/backend:1"   # pinned
    command: ["sleep", "86400"]
    ports:
      - '10010:8000'      # registry: backend

  redis:
    image: redis:7
    restart: always     # loops today
    healthcheck: { test: [ "CMD", "redis-cli", "ping" ], interval: 10s }

  ollama:
    image: ollama/ollama
    deploy:
      replicas: 1
    mem_limit: 1g # old limit
`;

describe('compose edits touch only what they change', () => {
  it('inserts deploy limits as new lines only; the rest of the file is byte-identical', () => {
    const r = editLimits(seed, { service: 'backend', memory: 512 << 20, cpus: 1 });
    expect(addedLines(seed, r.text)).toEqual([
      '    deploy:',
      '      resources:',
      '        limits:',
      '          memory: 512M',
      '          cpus: "1"',
    ]);
    expect(r.text.indexOf('    deploy:')).toBeGreaterThan(r.text.indexOf("- '10010:8000'"));
    expect(r.text.indexOf('    deploy:')).toBeLessThan(r.text.indexOf('  redis:'));
  });

  it('extends an existing deploy mapping and replaces an existing value in place', () => {
    const r = editLimits(seed, { service: 'ollama', memory: 4 * 1024 ** 3, cpus: 4 });
    const lines = r.text.split('\n');
    expect(lines).toContain('    mem_limit: 4G # old limit');
    expect(lines).toContain('      replicas: 1');
    const changed = lines.filter((l, i) => l !== seed.split('\n')[i]);
    expect(changed[0]).toBe('      resources:');
    expect(r.text.replace('    mem_limit: 4G # old limit', '    mem_limit: 1g # old limit')).toBe(
      seed.replace(
        '      replicas: 1\n',
        '      replicas: 1\n      resources:\n        limits:\n          cpus: "4"\n',
      ),
    );
  });

  it('writes the restart policy in place of the old one, keeping its comment', () => {
    const r = editLimits(seed, { service: 'redis', restart: 'on-failure:3' });
    expect(r.text).toBe(
      seed.replace('restart: always     # loops today', 'restart: on-failure:3     # loops today'),
    );
    const b = editLimits(seed, { service: 'backend', restart: 'on-failure:3' });
    expect(addedLines(seed, b.text)).toEqual(['    restart: on-failure:3']);
    expect(editLimits(seed, { service: 'nope', restart: 'no' }).changed).toBe(false);
  });

  it('an apply writes limits and the restart policy into the compose file: its diff is only those lines', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'doc-edit-'));
    const file = path.join(dir, 'compose.yaml');
    await writeFile(file, seed);
    const project = loadComposeProject({ files: [file], env: {} });
    const env = memoryEnv();
    const redis = fakeContainer({
      id: 'r1'.padEnd(64, '0'),
      name: 'seed-redis-1',
      labels: composeLabels('seed', 'redis'),
    });
    const backend = fakeContainer({
      id: 'b1'.padEnd(64, '0'),
      name: 'seed-backend-1',
      labels: composeLabels('seed', 'backend'),
    });
    env.docker.containers.push(redis, backend);
    const plan: FixPlan = {
      createdAt: new Date().toISOString(),
      project: 'seed',
      manual: [],
      kept: [],
      actions: [
        {
          kind: 'set-limits',
          containerId: backend.Id,
          container: 'seed-backend-1',
          service: 'backend',
          memory: 512 << 20,
          cpus: 1,
          sources: {},
          basis: 'test',
          composeFile: file,
        },
        {
          kind: 'restart-policy',
          containerId: redis.Id,
          container: 'seed-redis-1',
          service: 'redis',
          policy: { Name: 'on-failure', MaximumRetryCount: 3 },
          composeFile: file,
        },
      ],
    };
    const result = await applyFix(
      plan,
      { now: Date.now(), compose: project },
      {
        docker: env.docker,
        dataDir: path.join(dir, 'data'),
        verify: { windowMs: 0, pollMs: 1 },
        sleep: async () => {},
      },
    );
    expect(result.outcome, result.summary).toBe('applied');
    const after = await readFile(file, 'utf8');
    expect(addedLines(seed.replace('restart: always ', 'restart: on-failure:3 '), after)).toEqual([
      '    deploy:',
      '      resources:',
      '        limits:',
      '          memory: 512M',
      '          cpus: "1"',
    ]);
    expect(after).toContain('    restart: on-failure:3     # loops today');
    const reloaded = loadComposeProject({ files: [file], env: {} }).services;
    expect(reloaded.find((s) => s.name === 'backend')).toMatchObject({ memoryLimit: 512 << 20, cpuLimit: 1 });
    expect(reloaded.find((s) => s.name === 'redis')!.config.restart).toBe('on-failure:3');
  });
});
