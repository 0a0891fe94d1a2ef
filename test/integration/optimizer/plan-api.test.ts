import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../src/app.js';
import { OptimizerPlanSchema, ApplyResponseSchema, AutoStatusSchema } from '../../../src/optimizer/index.js';
import { injectAdminHeaders, startTestPlatform } from '../../helpers/platform.js';

/*
 * The plan, apply and rollback routes in the whole platform (sampler off; the Docker engine
 * pointed where none listens): admin only, bad input answered 400 with a code and the field path,
 * and apply refused without `confirm: true`.
 */
const MiB = 1024 ** 2;
const DAY = 86_400_000;
let platform: Platform;
let admin: Record<string, string>;
let user: Record<string, string>;

async function seedHistory(): Promise<void> {
  const now = Date.now();
  const series = async (name: string, subject: string) =>
    (
      await platform.db.query<{ id: number }>(
        `INSERT INTO resource_series (name, kind, metric, subject) VALUES ($1, 'container', $2, $3) RETURNING id`,
        [name, name.split(':')[1], subject],
      )
    ).rows[0]!.id;
  const mem = await series('container:memory_bytes:api', 'api');
  await platform.db.query(
    `INSERT INTO resource_samples (series_id, at, value)
     SELECT $1, to_timestamp($2::float8 / 1000) - g * interval '5 minutes', 300 * 1048576
       FROM generate_series(0, 287) g`,
    [mem, now],
  );
  const limit = await series('container:memory_limit_bytes:api', 'api');
  await platform.db.query(`UPDATE resource_series SET last_value = $2 WHERE id = $1`, [limit, 2048 * MiB]);
  // The last day is raw; the day before it as 5-minute roll-ups.
  await platform.db.query(
    `INSERT INTO resource_rollups (series_id, resolution, bucket, count, min, max, mean, p95)
     SELECT $1, 300, to_timestamp(floor(($2::float8 - $3) / 300000) * 300) - g * interval '5 minutes', 20, 1, 250 * 1048576, 1, 250 * 1048576
       FROM generate_series(0, 287) g`,
    [mem, now, DAY],
  );
}

beforeAll(async () => {
  platform = await startTestPlatform({
    SUTAZAI_OPTIMIZER: 'false',
    DOCKER_HOST: 'unix:///nonexistent/docker.sock',
  });
  admin = await injectAdminHeaders(platform);
  const key = await platform.app.inject({
    method: 'POST',
    url: '/api/v1/auth/api-keys',
    headers: admin,
    payload: { name: 'viewer', role: 'user' },
  });
  user = { 'x-api-key': key.json().key };
  await seedHistory();
}, 120_000);
afterAll(async () => platform?.close());

const call = (
  method: 'GET' | 'POST',
  url: string,
  headers: Record<string, string>,
  payload?: Record<string, unknown>,
) => platform.app.inject({ method, url, headers, ...(payload !== undefined ? { payload } : {}) });

describe('GET /api/v1/optimizer/plan', () => {
  it('answers the contract’s shape with each change’s evidence', async () => {
    const res = await call('GET', '/api/v1/optimizer/plan', admin);
    expect(res.statusCode).toBe(200);
    const plan = OptimizerPlanSchema.parse(res.json());
    expect(plan.mode).toBe('rightsize');
    expect(plan.changes).toEqual([
      expect.objectContaining({
        id: 'container:api:memory',
        current: 2048 * MiB,
        proposed: 345 * MiB,
        evidence: expect.objectContaining({ samples: 288 + 288 * 20, peak: 300 * MiB }),
      }),
    ]);
    expect(res.json().changes[0]).not.toHaveProperty('containerId');
    const step = await call('GET', '/api/v1/optimizer/plan?mode=step', admin);
    expect(step.json().mode).toBe('step');
  });

  it('is admin only', async () => {
    expect((await call('GET', '/api/v1/optimizer/plan', {})).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/optimizer/plan', user)).statusCode).toBe(403);
    for (const url of ['/api/v1/optimizer/apply', '/api/v1/optimizer/rollback'])
      expect((await call('POST', url, user, { ids: ['x'], confirm: true, backupId: 'x' })).statusCode).toBe(
        403,
      );
  });

  it('answers a bad mode with 400, a code and the field path', async () => {
    const res = await call('GET', '/api/v1/optimizer/plan?mode=yolo', admin);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'SUTAZAI_ERR_HTTP_VALIDATION',
      details: [expect.objectContaining({ path: 'querystring.mode' })],
    });
  });
});

describe('POST /api/v1/optimizer/apply', () => {
  it('requires confirm: true', async () => {
    for (const body of [
      { ids: ['container:api:memory'] },
      { ids: ['container:api:memory'], confirm: false },
    ]) {
      const res = await call('POST', '/api/v1/optimizer/apply', admin, body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'SUTAZAI_ERR_HTTP_VALIDATION',
        details: [expect.objectContaining({ path: 'body.confirm' })],
      });
    }
  });

  it('refuses an id that is not in the current plan, naming its place', async () => {
    const res = await call('POST', '/api/v1/optimizer/apply', admin, {
      ids: ['container:api:memory', 'container:nope:memory'],
      confirm: true,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'SUTAZAI_ERR_OPTIMIZER_CHANGE_UNKNOWN',
      details: [{ path: 'body.ids.1', message: expect.any(String) }],
    });
  });

  it('refuses empty or malformed ids with the field path', async () => {
    const res = await call('POST', '/api/v1/optimizer/apply', admin, { ids: [], confirm: true });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('body.ids');
  });

  it('applies nothing it cannot reach, and says so (no engine here)', async () => {
    const res = await call('POST', '/api/v1/optimizer/apply', admin, {
      ids: ['container:api:memory'],
      confirm: true,
    });
    expect(res.statusCode).toBe(200);
    const out = ApplyResponseSchema.parse(res.json());
    expect(out).toMatchObject({
      applied: [],
      backupId: null,
      rolledBack: false,
      verification: { ok: false },
    });
    expect(out.verification.details.join(' ')).toMatch(/no Docker engine/);
  });
});

describe('POST /api/v1/optimizer/rollback', () => {
  it('refuses a backup id that is a path, and answers 404 for an unknown one', async () => {
    const bad = await call('POST', '/api/v1/optimizer/rollback', admin, { backupId: '../../etc' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('body.backupId');
    const unknown = await call('POST', '/api/v1/optimizer/rollback', admin, {
      backupId: '2026-01-01T00-00-00-000Z-abcdef',
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('SUTAZAI_ERR_DOCTOR_BACKUP_NOT_FOUND');
  });
});

describe('GET and POST /api/v1/optimizer/auto', () => {
  it('shows auto mode off by default, pauses and resumes it for admins only, and refuses a bad body', async () => {
    const res = await call('GET', '/api/v1/optimizer/auto', admin);
    expect(AutoStatusSchema.parse(res.json())).toMatchObject({
      enabled: false,
      paused: false,
      intervalMs: 3_600_000,
    });
    expect((await call('POST', '/api/v1/optimizer/auto', user, { paused: true })).statusCode).toBe(403);
    const paused = await call('POST', '/api/v1/optimizer/auto', admin, { paused: true });
    expect(paused.json()).toMatchObject({ paused: true });
    expect((await call('GET', '/api/v1/optimizer/auto', admin)).json()).toMatchObject({ paused: true });
    expect((await call('POST', '/api/v1/optimizer/auto', admin, { paused: false })).json()).toMatchObject({
      paused: false,
    });
    const bad = await call('POST', '/api/v1/optimizer/auto', admin, { paused: 'yes' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({
      code: 'SUTAZAI_ERR_HTTP_VALIDATION',
      details: [{ path: 'body.paused' }],
    });
  });
});
