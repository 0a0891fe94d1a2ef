import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DoctorConfigSchema } from '../../../src/config/schema.js';
import { buildHttpApp } from '../../../src/http/app.js';
import { MemoryRateLimiter } from '../../../src/http/rate-limit.js';
import { doctorRoutes } from '../../../src/http/routes/doctor.js';
import type { App, Principal } from '../../../src/http/types.js';
import { createLogger } from '../../../src/log.js';
import { MemoryDocker, MemoryStateStore, emptyState, fakeContainer } from '../../../src/ops/index.js';

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
  const docker = new MemoryDocker();
  const as = (role: 'admin' | 'user') => ({ 'x-test-role': role });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'doctor-fix-diff-'));
    await writeFile(path.join(dir, 'compose.yaml'), COMPOSE);
    // Looping: five restarts since an observation a minute ago, so restart-loop plans a policy.
    docker.containers.push(
      fakeContainer({
        id: ID,
        name: 'api-web-1',
        restartCount: 5,
        labels: { 'com.docker.compose.project': 'api', 'com.docker.compose.service': 'web' },
      }),
    );
    const state = { ...emptyState(), restarts: { [ID]: [{ at: Date.now() - 60_000, count: 0 }] } };
    const config = DoctorConfigSchema.parse({});
    app = await buildHttpApp(
      {
        logger: createLogger('silent'),
        bodyLimitBytes: 1 << 20,
        requestTimeoutMs: 10_000,
        authEnabled: true,
        authenticator: {
          authenticate: async (req): Promise<Principal | undefined> => {
            const role = req.headers['x-test-role'];
            return role === 'admin' || role === 'user'
              ? { kind: 'user', id: role, name: role, role }
              : undefined;
          },
        },
        rateLimiter: new MemoryRateLimiter(),
        rateRules: { login: { max: 100, windowSeconds: 60 }, expensive: { max: 100, windowSeconds: 60 } },
      },
      [
        doctorRoutes({
          audit: {
            config,
            dataDir: path.join(dir, 'data'),
            docker,
            stateStore: new MemoryStateStore(state),
          },
          request: { cwd: dir, without: ['listeners', 'processes'] },
        }),
      ],
    );
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
