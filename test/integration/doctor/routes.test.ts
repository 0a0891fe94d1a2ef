import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/http/types.js';
import { fakeContainer, type MemoryDocker } from '../../../src/ops/index.js';
import { as, buildDoctorRouteApp } from '../../fixtures/doctor/route-app.js';

const COMPOSE = `name: api
services:
  web: # the web tier
    image: busybox
`;

describe('doctor routes', () => {
  let app: App;
  let dir: string;
  let docker: MemoryDocker;

  beforeAll(async () => {
    ({ app, dir, docker } = await buildDoctorRouteApp({
      compose: COMPOSE,
      containers: [
        fakeContainer({
          id: 'w'.repeat(64),
          name: 'api-web-1',
          labels: { 'com.docker.compose.project': 'api', 'com.docker.compose.service': 'web' },
        }),
      ],
      config: { verify: { windowMs: 50, pollMs: 10 } },
    }));
  });
  afterAll(() => app?.close());

  it('serves the report as JSON and SARIF to admins only', async () => {
    const asUser = await app.inject({ method: 'GET', url: '/api/v1/doctor/report', headers: as('user') });
    expect(asUser.statusCode).toBe(403);
    const res = await app.inject({ method: 'GET', url: '/api/v1/doctor/report', headers: as('admin') });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ schemaVersion: 1, project: 'api', partial: false });
    expect(
      res
        .json()
        .findings.map((f: { ruleId: string }) => f.ruleId)
        .sort(),
    ).toEqual(['no-cpu-limit', 'no-memory-limit']);
    const sarif = await app.inject({
      method: 'GET',
      url: '/api/v1/doctor/report?format=sarif',
      headers: as('admin'),
    });
    expect(sarif.json()).toMatchObject({ version: '2.1.0' });
    expect((await app.inject({ method: 'GET', url: '/api/v1/doctor/report' })).statusCode).toBe(401);
  });

  it('keeps fix and rollback for admins and rejects unknown fields', async () => {
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/doctor/fix', headers: as('user'), payload: {} }))
        .statusCode,
    ).toBe(403);
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/doctor/fix',
      headers: as('admin'),
      payload: { aply: true },
    });
    expect(bad.statusCode).toBe(400);
    const typo = await app.inject({
      method: 'POST',
      url: '/api/v1/doctor/fix',
      headers: as('admin'),
      payload: { only: ['orphan-contaner'] },
    });
    expect(typo.statusCode).toBe(400);
    const body = typo.json<{ error: { code: string; details: { nearest: string[] } } }>();
    expect(body.error.code).toBe('SUTAZAI_ERR_DOCTOR_UNKNOWN_RULE');
    expect(body.error.details.nearest[0]).toBe('orphan-container');
  });

  it('plans, applies with a backup, lists it, and rolls it back', async () => {
    const plan = await app.inject({
      method: 'POST',
      url: '/api/v1/doctor/fix',
      headers: as('admin'),
      payload: {},
    });
    expect(plan.json().plan.actions).toMatchObject([
      { kind: 'set-limits', memory: 512 * 1024 * 1024, cpus: 0.5 },
    ]);
    expect(docker.calls).toEqual([]);

    const applied = await app.inject({
      method: 'POST',
      url: '/api/v1/doctor/fix',
      headers: as('admin'),
      payload: { apply: true },
    });
    expect(applied.json().result).toMatchObject({ outcome: 'applied' });
    expect(docker.containers[0]!.HostConfig).toMatchObject({ Memory: 512 * 1024 * 1024, NanoCpus: 5e8 });
    const edited = await readFile(path.join(dir, 'compose.yaml'), 'utf8');
    expect(edited).toContain('# the web tier');
    expect(edited).toMatch(/memory: 512M/);

    const forUser = await app.inject({ method: 'GET', url: '/api/v1/doctor/backups', headers: as('user') });
    expect(forUser.statusCode).toBe(403);
    const backups = await app.inject({ method: 'GET', url: '/api/v1/doctor/backups', headers: as('admin') });
    expect(backups.json().backups).toHaveLength(1);
    expect(backups.json().backups[0]).toMatchObject({ outcome: 'applied', actions: 1 });

    const rb = await app.inject({
      method: 'POST',
      url: '/api/v1/doctor/rollback',
      headers: as('admin'),
      payload: {},
    });
    expect(rb.json()).toMatchObject({ ok: true, errors: [] });
    expect(await readFile(path.join(dir, 'compose.yaml'), 'utf8')).toBe(COMPOSE);
    // the engine cannot lift a limit by update, so the container was recreated without one
    const web = docker.containers.find((c) => c.Name === '/api-web-1')!;
    expect(web.HostConfig.Memory).toBe(0);
    expect(web.State.Running).toBe(true);
    const missing = await app.inject({
      method: 'POST',
      url: '/api/v1/doctor/rollback',
      headers: as('admin'),
      payload: { backup: 'nope' },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('SUTAZAI_ERR_DOCTOR_BACKUP_NOT_FOUND');
  });
});
