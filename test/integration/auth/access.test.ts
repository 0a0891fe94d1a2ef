import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../../src/auth/index.js';
import { sampleUrl } from '../../helpers/routes.js';
import { ADMIN, USER, bearer, harness, type Harness } from './setup.js';

// One database for the file: PGlite start-up dominates the run time.
let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

describe('route table: every protected auth route refuses without credentials', () => {
  let userToken: string;
  beforeAll(async () => {
    userToken = (await h.login(USER)).access;
  });

  it('collected the auth routes with their access levels', () => {
    const table = h.routes.map((r) => `${r.method} ${r.url} ${r.access}`);
    expect(table).toEqual(
      expect.arrayContaining([
        'POST /api/v1/auth/login public',
        'GET /api/v1/auth/me user',
        'POST /api/v1/users admin',
        'DELETE /api/v1/auth/api-keys/:id user',
      ]),
    );
    expect(h.routes.find((r) => r.url === '/api/v1/auth/login')?.rateLimit).toBe('login');
  });

  it('answers 401 AUTH_REQUIRED on every non-public route without credentials', async () => {
    const prot = h.routes.filter((r) => r.access !== 'public');
    expect(prot.length).toBeGreaterThanOrEqual(6);
    for (const route of prot) {
      const res = await h.app.inject({
        method: route.method as 'GET',
        url: sampleUrl(route.url),
        payload: {},
      });
      expect([route.url, res.statusCode, res.json().error.code]).toEqual([
        route.url,
        401,
        'SUTAZAI_ERR_AUTH_REQUIRED',
      ]);
    }
  });

  it('answers 403 to a user on every admin route', async () => {
    const adminRoutes = h.routes.filter((r) => r.access === 'admin');
    expect(adminRoutes.length).toBeGreaterThanOrEqual(2);
    for (const route of adminRoutes) {
      const res = await h.app.inject({
        method: route.method as 'GET',
        url: sampleUrl(route.url),
        headers: bearer(userToken),
        payload: {},
      });
      expect([route.url, res.statusCode, res.json().error.code]).toEqual([
        route.url,
        403,
        'SUTAZAI_ERR_AUTH_FORBIDDEN',
      ]);
    }
  });
});

describe('users and API keys', () => {
  let admin: string;
  let user: string;
  beforeAll(() => relogin());

  /** After moving the clock past the access TTL. */
  async function relogin() {
    admin = (await h.login(ADMIN)).access;
    user = (await h.login(USER)).access;
  }

  it('lets an admin create and list users; a duplicate username is 409', async () => {
    const payload = { username: 'grace', password: 'grace-password-12' };
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(admin),
      payload,
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ username: 'grace', role: 'user', disabled: false });
    expect(created.body).not.toContain('password');
    const dup = await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(admin), payload });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('SUTAZAI_ERR_AUTH_USERNAME_TAKEN');
    const list = await h.app.inject({ url: '/api/v1/users', headers: bearer(admin) });
    expect(list.json().users.map((u: { username: string }) => u.username)).toEqual(
      expect.arrayContaining(['root', 'ada', 'grace']),
    );
    expect(list.body).not.toContain('scrypt');
    const login = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload });
    expect(login.statusCode).toBe(200);
  });

  it('refuses a short password and unknown body fields with 400', async () => {
    const short = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(admin),
      payload: { username: 'bob', password: 'short' },
    });
    expect(short.statusCode).toBe(400);
    const extra = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { ...USER, admin: true },
    });
    expect(extra.statusCode).toBe(400);
  });

  it('shows a key once, stores only its hash, and the key authenticates by both headers', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/api-keys',
      headers: bearer(user),
      payload: { name: 'ci' },
    });
    expect(res.statusCode).toBe(201);
    const { key, id, prefix, role } = res.json();
    expect(key).toMatch(/^sk_sutazai_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(prefix)).toBe(true);
    expect(role).toBe('user');
    const { rows } = await h.db.query<Record<string, unknown>>('SELECT * FROM api_keys WHERE id = $1', [id]);
    expect(rows[0]!.key_hash).toBe(hashApiKey(key));
    expect(JSON.stringify(rows[0])).not.toContain(key);
    const list = await h.app.inject({ url: '/api/v1/auth/api-keys', headers: bearer(user) });
    expect(list.body).not.toContain(key);
    expect(list.json().keys.map((k: { id: string }) => k.id)).toContain(id);

    for (const headers of [bearer(key), { 'x-api-key': key }]) {
      const me = await h.app.inject({ url: '/api/v1/auth/me', headers });
      expect(me.json()).toEqual({ kind: 'api_key', id, name: 'ci', role: 'user' });
    }
    // last_used_at is written in the background, at most once a minute per key.
    const lastUsed = async () =>
      (await h.db.query<{ t: Date | null }>('SELECT last_used_at AS t FROM api_keys WHERE id = $1', [id]))
        .rows[0]!.t;
    await expect.poll(lastUsed).not.toBeNull();
    const first = (await lastUsed())!.getTime();
    h.clock.advance(61_000);
    await h.app.inject({ url: '/api/v1/auth/me', headers: bearer(key) });
    await expect.poll(async () => (await lastUsed())!.getTime()).toBeGreaterThan(first);
    await relogin();
  });

  it('revoked and expired keys answer 401 INVALID_TOKEN', async () => {
    const create = async (payload: object) =>
      (
        await h.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: bearer(user), payload })
      ).json();
    const k = await create({ name: 'short-lived' });
    const del = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/api-keys/${k.id}`,
      headers: bearer(user),
    });
    expect(del.statusCode).toBe(204);
    const me = await h.app.inject({ url: '/api/v1/auth/me', headers: { 'x-api-key': k.key } });
    expect(me.statusCode).toBe(401);
    expect(me.json().error.code).toBe('SUTAZAI_ERR_AUTH_INVALID_TOKEN');

    const e = await create({ name: 'expiring', expires_in_days: 1 });
    expect((await h.app.inject({ url: '/api/v1/auth/me', headers: bearer(e.key) })).statusCode).toBe(200);
    h.clock.advance(86_400_000);
    const late = await h.app.inject({ url: '/api/v1/auth/api-keys', headers: bearer(e.key) });
    expect(late.statusCode).toBe(401);
    await relogin();
  });

  it('scopes keys: users cannot make admin keys or see or revoke others; admins can', async () => {
    const userAdminKey = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/api-keys',
      headers: bearer(user),
      payload: { name: 'sneaky', role: 'admin' },
    });
    expect(userAdminKey.statusCode).toBe(403);

    const adminKey = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/api-keys',
      headers: bearer(admin),
      payload: { name: 'ops', role: 'admin' },
    });
    expect(adminKey.statusCode).toBe(201);
    const { id: adminKeyId, key: adminSecret } = adminKey.json();
    // An admin key reaches admin routes.
    expect(
      (await h.app.inject({ url: '/api/v1/users', headers: { 'x-api-key': adminSecret } })).statusCode,
    ).toBe(200);

    const userList = await h.app.inject({ url: '/api/v1/auth/api-keys', headers: bearer(user) });
    expect(userList.json().keys.map((k: { id: string }) => k.id)).not.toContain(adminKeyId);
    const userRevoke = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/api-keys/${adminKeyId}`,
      headers: bearer(user),
    });
    expect(userRevoke.statusCode).toBe(404);
    expect(userRevoke.json().error.code).toBe('SUTAZAI_ERR_AUTH_KEY_NOT_FOUND');

    const userKeys = userList.json().keys as Array<{ id: string }>;
    const adminList = await h.app.inject({ url: '/api/v1/auth/api-keys', headers: bearer(admin) });
    expect(adminList.json().keys.map((k: { id: string }) => k.id)).toEqual(
      expect.arrayContaining([adminKeyId, ...userKeys.map((k) => k.id)]),
    );
    const adminRevoke = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/api-keys/${userKeys[0]!.id}`,
      headers: bearer(admin),
    });
    expect(adminRevoke.statusCode).toBe(204);
    const notAUuid = await h.app.inject({
      method: 'DELETE',
      url: '/api/v1/auth/api-keys/nope',
      headers: bearer(admin),
    });
    expect(notAUuid.statusCode).toBe(404);
  });

  it('a user API key creates keys owned by its user', async () => {
    const first = (
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/api-keys',
        headers: bearer(user),
        payload: { name: 'parent' },
      })
    ).json();
    const child = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/api-keys',
      headers: { 'x-api-key': first.key },
      payload: { name: 'child' },
    });
    expect(child.statusCode).toBe(201);
    expect(child.json().user_id).toBe(first.user_id);
  });
});
