import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/http/types.js';
import { emptyState, fakeContainer, type MemoryDocker } from '../../../src/ops/index.js';
import { as, buildDoctorRouteApp } from '../../fixtures/doctor/route-app.js';

const COMPOSE = `name: api
services:
  web: # the web tier
    image: busybox
    ports: ["8080:80"]  # kept as written
`;
const ID = 'w'.repeat(64);
const execFileAsync = promisify(execFile);

async function writeTmp(dir: string, text: string): Promise<string> {
  const file = path.join(dir, 'preview.diff');
  await writeFile(file, text);
  return file;
}

describe('POST /api/v1/doctor/fix (dry run) shows the compose diff it would write', () => {
  let app: App;
  let dir: string;
  let docker: MemoryDocker;

  beforeAll(async () => {
    // Looping: five restarts since an observation a minute ago, so restart-loop plans a policy.
    ({ app, dir, docker } = await buildDoctorRouteApp({
      compose: COMPOSE,
      containers: [
        fakeContainer({
          id: ID,
          name: 'api-web-1',
          restartCount: 5,
          labels: { 'com.docker.compose.project': 'api', 'com.docker.compose.service': 'web' },
        }),
      ],
      state: { ...emptyState(), restarts: { [ID]: [{ at: Date.now() - 60_000, count: 0 }] } },
    }));
  });
  afterAll(() => app?.close());

  it('returns, per compose file, a diff whose added lines are exactly the new keys; the file is untouched', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/doctor/fix',
      headers: as('admin'),
      payload: { only: ['no-memory-limit', 'restart-loop'] },
    });
    expect(res.statusCode).toBe(200);
    const { plan } = res.json<{
      plan: {
        actions: Array<{ kind: string }>;
        composeDiffs: Array<{ path: string; diff: string; truncated: boolean }>;
      };
    }>();
    expect(plan.actions.map((a) => a.kind).sort()).toEqual(['restart-policy', 'set-limits']);
    expect(plan.composeDiffs).toHaveLength(1);
    const [d] = plan.composeDiffs;
    expect(d).toMatchObject({ path: 'compose.yaml', truncated: false });
    const lines = d!.diff.split('\n');
    expect(lines.slice(0, 2)).toEqual(['--- a/compose.yaml', '+++ b/compose.yaml']);
    // In plan order: the restart-loop finding comes first, so `restart:` is inserted first.
    expect(lines.filter((l) => l.startsWith('+') && !l.startsWith('+++'))).toEqual([
      '+    restart: on-failure:3',
      '+    deploy:',
      '+      resources:',
      '+        limits:',
      '+          memory: 512M',
    ]);
    expect(lines.filter((l) => l.startsWith('-') && !l.startsWith('---'))).toEqual([]);
    expect(await readFile(path.join(dir, 'compose.yaml'), 'utf8')).toBe(COMPOSE);
    expect(docker.calls).toEqual([]);

    // GNU patch accepts the diff, and apply writes exactly what the preview showed.
    const copy = path.join(dir, 'preview.yaml');
    await writeFile(copy, COMPOSE);
    await execFileAsync('patch', ['--silent', copy, '-i', await writeTmp(dir, d!.diff)]);
    const applied = await app.inject({
      method: 'POST',
      url: '/api/v1/doctor/fix',
      headers: as('admin'),
      payload: { apply: true, only: ['no-memory-limit', 'restart-loop'], verifyWindowMs: 50 },
    });
    expect(applied.statusCode).toBe(200);
    expect(await readFile(path.join(dir, 'compose.yaml'), 'utf8')).toBe(await readFile(copy, 'utf8'));
  });

  it('keeps the plan for admins only', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/doctor/fix',
      headers: as('user'),
      payload: {},
    });
    expect(res.statusCode).toBe(403);
  });
});
