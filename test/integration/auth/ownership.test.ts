import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, type Platform } from '../../../src/app.js';
import { insertApiKey } from '../../../src/auth/api-keys.js';
import { createAuthenticator, createDbSecretProvider } from '../../../src/auth/index.js';
import type { FastifyRequest } from 'fastify';
import { loadConfig } from '../../../src/config/index.js';

// The whole platform with auth on: an admin, a second user, and what each of them owns.
const ADMIN_PASSWORD = 'ownership-admin-password';
const ADA = { username: 'ada', password: 'ada-password-1234' };
let platform: Platform;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sutazai-owner-'));
  // Many logins in one file: lift the login rate limit.
  writeFileSync(path.join(dir, 'sutazai.yaml'), 'rateLimit:\n  login: { max: 1000, windowSeconds: 60 }\n');
  const { config } = loadConfig({
    env: {
      SUTAZAI_DATA_DIR: dir,
      SUTAZAI_ADMIN_PASSWORD: ADMIN_PASSWORD,
      SUTAZAI_MCP_CONFIG: path.join(dir, 'none.json'),
      SUTAZAI_WORKER: 'false',
    },
    cwd: dir,
  });
  platform = await createPlatform({ config, logger: pino({ level: 'silent' }), inMemoryDb: true });
});
afterAll(async () => platform?.close());

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
const call = (method: Method, url: string, token?: string, payload?: object) =>
  platform.app.inject({
    method,
    url,
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    ...(payload ? { payload } : {}),
  });
const callKey = (url: string, key: string) =>
  platform.app.inject({ method: 'GET', url, headers: { 'x-api-key': key } });

async function login(username: string, password: string) {
  const res = await call('POST', '/api/v1/auth/login', undefined, { username, password });
  return { status: res.statusCode, body: res.json<{ access_token: string; refresh_token: string }>() };
}

/** Polls for at most one second (the documented bound); returns the last status seen. */
async function statusWithinOneSecond(probe: () => Promise<number>, want: number): Promise<number> {
  const deadline = Date.now() + 1000;
  let status = await probe();
  while (status !== want && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    status = await probe();
  }
  return status;
}

const FUTURE = new Date(Date.now() + 3_600_000).toISOString();
const task = { type: 'http.check', payload: { url: 'http://example.invalid/' }, run_at: FUTURE };

describe('ownership of tasks, conversations and API keys', () => {
  let admin: string;
  let ada: string;
  let adaId: string;
  let adminTask: string;
  let adaTask: string;
  let adminConversation: string;

  beforeAll(async () => {
    admin = (await login('admin', ADMIN_PASSWORD)).body.access_token;
    const created = await call('POST', '/api/v1/users', admin, { ...ADA, role: 'user' });
    expect(created.statusCode).toBe(201);
    adaId = created.json<{ id: string }>().id;
    ada = (await login(ADA.username, ADA.password)).body.access_token;
    adminTask = (await call('POST', '/api/v1/tasks', admin, task)).json<{ id: string }>().id;
    adaTask = (await call('POST', '/api/v1/tasks', ada, task)).json<{ id: string }>().id;
    const me = (await call('GET', '/api/v1/auth/me', admin)).json<{ id: string }>();
    const { rows } = await platform.db.query<{ id: string }>(
      `INSERT INTO conversations (model, title, owner) VALUES ('m', 'secret plans', $1) RETURNING id`,
      [me.id],
    );
    adminConversation = rows[0]!.id;
  });

  it("a user lists only their own tasks; the admin's task is 404 to get and to cancel", async () => {
    const list = (await call('GET', '/api/v1/tasks', ada)).json<{ items: Array<{ id: string }> }>();
    expect(list.items.map((t) => t.id)).toEqual([adaTask]);
    const get = await call('GET', `/api/v1/tasks/${adminTask}`, ada);
    expect([get.statusCode, get.json().error.code]).toEqual([404, 'SUTAZAI_ERR_TASK_NOT_FOUND']);
    const cancel = await call('POST', `/api/v1/tasks/${adminTask}/cancel`, ada);
    expect([cancel.statusCode, cancel.json().error.code]).toEqual([404, 'SUTAZAI_ERR_TASK_NOT_FOUND']);
    expect((await call('GET', `/api/v1/tasks/${adminTask}`, admin)).json().status).toBe('pending');
  });

  it('a user gets and cancels their own task', async () => {
    expect((await call('GET', `/api/v1/tasks/${adaTask}`, ada)).statusCode).toBe(200);
    const cancel = await call('POST', `/api/v1/tasks/${adaTask}/cancel`, ada);
    expect([cancel.statusCode, cancel.json().status]).toEqual([200, 'cancelled']);
  });

  it("an agent's recent tasks show a user only their own", async () => {
    const { rows } = await platform.db.query<{ id: string }>(
      `INSERT INTO agents (name) VALUES ('owned-agent') RETURNING id`,
    );
    const agentId = rows[0]!.id;
    const body = { type: 'agent.run', payload: { prompt: 'x' }, agent_id: agentId, run_at: FUTURE };
    const created = await call('POST', '/api/v1/tasks', admin, body);
    expect(created.statusCode).toBe(202);
    const recent = async (token: string) =>
      (await call('GET', `/api/v1/agents/${agentId}`, token))
        .json<{ stats: { recent_tasks: Array<{ id: string }> } }>()
        .stats.recent_tasks.map((t) => t.id);
    expect(await recent(ada)).toEqual([]);
    expect(await recent(admin)).toEqual([created.json<{ id: string }>().id]);
    await platform.db.query('DELETE FROM tasks WHERE agent_id = $1', [agentId]);
  });

  it('the admin sees every task', async () => {
    const list = (await call('GET', '/api/v1/tasks', admin)).json<{ items: Array<{ id: string }> }>();
    expect(list.items.map((t) => t.id).sort()).toEqual([adminTask, adaTask].sort());
  });

  it('a batch belongs to its submitter, like a single task, with the same role for outbound checks', async () => {
    const res = await call('POST', '/api/v1/tasks/batch', ada, { items: [task, task] });
    expect(res.statusCode).toBe(202);
    const ids = res.json<{ items: Array<{ id: string }> }>().items.map((t) => t.id);
    const { rows } = await platform.db.query<{ owner_id: string; requested_by_role: string }>(
      'SELECT owner_id, requested_by_role FROM tasks WHERE id = ANY ($1::uuid[])',
      [ids],
    );
    expect(rows).toEqual([
      { owner_id: adaId, requested_by_role: 'user' },
      { owner_id: adaId, requested_by_role: 'user' },
    ]);
    expect((await call('GET', `/api/v1/tasks/${ids[0]}`, ada)).statusCode).toBe(200);
    expect((await call('GET', `/api/v1/tasks/${ids[0]}`, admin)).statusCode).toBe(200);
    await platform.db.query('DELETE FROM tasks WHERE id = ANY ($1::uuid[])', [ids]);
  });

  it("a user cannot list or read the admin's conversations", async () => {
    const list = (await call('GET', '/api/v1/conversations', ada)).json<{ items: unknown[] }>();
    expect(list.items).toEqual([]);
    const get = await call('GET', `/api/v1/conversations/${adminConversation}`, ada);
    expect(get.statusCode).toBe(404);
    expect((await call('GET', `/api/v1/conversations/${adminConversation}`, admin)).statusCode).toBe(200);
  });

  it("a user sees only their own API keys and cannot revoke the admin's", async () => {
    const adminKey = (await call('POST', '/api/v1/auth/api-keys', admin, { name: 'admin-key' })).json<{
      id: string;
    }>();
    await call('POST', '/api/v1/auth/api-keys', ada, { name: 'ada-key' });
    const mine = (await call('GET', '/api/v1/auth/api-keys', ada)).json<{ keys: Array<{ name: string }> }>();
    expect(mine.keys.map((k) => k.name)).toEqual(['ada-key']);
    const revoke = await call('DELETE', `/api/v1/auth/api-keys/${adminKey.id}`, ada);
    expect(revoke.statusCode).toBe(404);
    const all = (await call('GET', '/api/v1/auth/api-keys', admin)).json<{ keys: unknown[] }>();
    expect(all.keys.length).toBe(2);
  });

  it("a user's API key acts for the user: it sees the user's tasks and conversations, not others'", async () => {
    const key = (await call('POST', '/api/v1/auth/api-keys', ada, { name: 'ada-key-2' })).json<{
      key: string;
    }>().key;
    const list = (await callKey('/api/v1/tasks', key)).json<{ items: Array<{ id: string }> }>();
    expect(list.items.map((t) => t.id)).toEqual([adaTask]);
    expect((await callKey(`/api/v1/conversations/${adminConversation}`, key)).statusCode).toBe(404);
  });

  it('the doctor report, backups and MCP server details are admin-only', async () => {
    expect((await call('GET', '/api/v1/doctor/report', ada)).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/doctor/backups', ada)).statusCode).toBe(403);
    const status = (await call('GET', '/api/v1/mcp/status', ada)).json<Record<string, unknown>>();
    expect(status).not.toHaveProperty('configPath');
    expect((await call('GET', '/api/v1/mcp/status', admin)).json()).toHaveProperty('configPath');
    expect((await call('GET', '/api/v1/mcp/servers', ada)).statusCode).toBe(200);
  });

  it('unknown users answer 404; an admin cannot disable or delete themselves', async () => {
    const ghost = '00000000-0000-4000-8000-000000000000';
    const patch = await call('PATCH', `/api/v1/users/${ghost}`, admin, { disabled: true });
    expect([patch.statusCode, patch.json().error.code]).toEqual([404, 'SUTAZAI_ERR_AUTH_USER_NOT_FOUND']);
    const me = (await call('GET', '/api/v1/auth/me', admin)).json<{ id: string }>();
    const self = await call('PATCH', `/api/v1/users/${me.id}`, admin, { disabled: true });
    expect([self.statusCode, self.json().error.code]).toEqual([409, 'SUTAZAI_ERR_AUTH_SELF']);
    const del = await call('DELETE', `/api/v1/users/${me.id}`, admin);
    expect([del.statusCode, del.json().error.code]).toEqual([409, 'SUTAZAI_ERR_AUTH_SELF']);
    expect((await call('PATCH', `/api/v1/users/${adaId}`, ada, { disabled: true })).statusCode).toBe(403);
  });
});

describe('users: disable, re-enable, delete, change password', () => {
  let admin: string;
  beforeAll(async () => {
    admin = (await login('admin', ADMIN_PASSWORD)).body.access_token;
  });

  it("refuses a disabled user's access token, refresh token and API key within one second", async () => {
    const bob = { username: 'bob', password: 'bob-password-12345' };
    const id = (await call('POST', '/api/v1/users', admin, { ...bob, role: 'user' })).json<{ id: string }>()
      .id;
    const session = (await login(bob.username, bob.password)).body;
    const key = (await call('POST', '/api/v1/auth/api-keys', session.access_token, { name: 'k' })).json<{
      key: string;
    }>().key;
    expect((await call('GET', '/api/v1/auth/me', session.access_token)).statusCode).toBe(200);

    // A second authenticator on the same database stands for another process: no invalidation
    // reaches it, only its cache TTL bounds how long it keeps accepting the token.
    const elsewhere = createAuthenticator({
      db: platform.db,
      secretProvider: createDbSecretProvider(platform.db),
    });
    const request = { headers: { authorization: `Bearer ${session.access_token}` } } as FastifyRequest;
    expect((await elsewhere.authenticate(request))?.id).toBe(id);

    const disabled = await call('PATCH', `/api/v1/users/${id}`, admin, { disabled: true });
    expect([disabled.statusCode, disabled.json().disabled]).toEqual([200, true]);
    const me = () => call('GET', '/api/v1/auth/me', session.access_token).then((r) => r.statusCode);
    expect(await statusWithinOneSecond(me, 401)).toBe(401);
    const other = () =>
      elsewhere.authenticate(request).then(
        () => 200,
        () => 401,
      );
    expect(await statusWithinOneSecond(other, 401)).toBe(401);
    expect(
      await statusWithinOneSecond(() => callKey('/api/v1/auth/me', key).then((r) => r.statusCode), 401),
    ).toBe(401);
    const refresh = await call('POST', '/api/v1/auth/refresh', undefined, {
      refresh_token: session.refresh_token,
    });
    expect(refresh.statusCode).toBe(401);
    expect((await login(bob.username, bob.password)).status).toBe(401);

    const enabled = await call('PATCH', `/api/v1/users/${id}`, admin, { disabled: false });
    expect([enabled.statusCode, enabled.json().disabled]).toEqual([200, false]);
    const again = await login(bob.username, bob.password);
    expect(again.status).toBe(200);
    expect((await call('GET', '/api/v1/auth/me', again.body.access_token)).statusCode).toBe(200);
    expect((await callKey('/api/v1/auth/me', key)).statusCode).toBe(200);
  });

  it('deletes a user: their tokens and keys stop, their login fails, they vanish from the list', async () => {
    const eve = { username: 'eve', password: 'eve-password-12345' };
    const id = (await call('POST', '/api/v1/users', admin, { ...eve, role: 'user' })).json<{ id: string }>()
      .id;
    const session = (await login(eve.username, eve.password)).body;
    const key = (await call('POST', '/api/v1/auth/api-keys', session.access_token, { name: 'k' })).json<{
      key: string;
    }>().key;
    expect((await call('DELETE', `/api/v1/users/${id}`, admin)).statusCode).toBe(204);
    const me = () => call('GET', '/api/v1/auth/me', session.access_token).then((r) => r.statusCode);
    expect(await statusWithinOneSecond(me, 401)).toBe(401);
    expect((await callKey('/api/v1/auth/me', key)).statusCode).toBe(401);
    expect((await login(eve.username, eve.password)).status).toBe(401);
    const users = (await call('GET', '/api/v1/users', admin)).json<{ users: Array<{ id: string }> }>();
    expect(users.users.map((u) => u.id)).not.toContain(id);
    expect((await call('DELETE', `/api/v1/users/${id}`, admin)).statusCode).toBe(404);
  });

  it('will not delete or disable the last enabled admin', async () => {
    const other = { username: 'root2', password: 'root2-password-123' };
    const id = (await call('POST', '/api/v1/users', admin, { ...other, role: 'admin' })).json<{
      id: string;
    }>().id;
    const token = (await login(other.username, other.password)).body.access_token;
    const first = (await call('GET', '/api/v1/auth/me', admin)).json<{ id: string }>().id;
    expect((await call('PATCH', `/api/v1/users/${first}`, token, { disabled: true })).statusCode).toBe(200);
    // root2 is now the only enabled admin. A key without an owner (made while auth was off) is the
    // one admin credential that is not root2 itself.
    const { key } = await insertApiKey(platform.db, {
      name: 'ownerless',
      role: 'admin',
      userId: null,
      expiresAt: null,
      now: new Date(),
    });
    const asKey = (method: Method, payload?: object) =>
      platform.app.inject({ method, url: `/api/v1/users/${id}`, headers: { 'x-api-key': key }, payload });
    for (const res of [await asKey('DELETE'), await asKey('PATCH', { disabled: true })])
      expect([res.statusCode, res.json().error.code]).toEqual([409, 'SUTAZAI_ERR_AUTH_LAST_ADMIN']);
    expect((await call('PATCH', `/api/v1/users/${first}`, token, { disabled: false })).statusCode).toBe(200);
    admin = (await login('admin', ADMIN_PASSWORD)).body.access_token;
    expect((await call('DELETE', `/api/v1/users/${id}`, admin)).statusCode).toBe(204);
  });

  it('changes a password: the old one stops working, other sessions end, the caller continues', async () => {
    const carl = { username: 'carl', password: 'carl-password-1234' };
    await call('POST', '/api/v1/users', admin, { ...carl, role: 'user' });
    const other = (await login(carl.username, carl.password)).body;
    const mine = (await login(carl.username, carl.password)).body;
    const wrong = await call('POST', '/api/v1/auth/password', mine.access_token, {
      current_password: 'not-the-password',
      new_password: 'carl-new-password-5678',
    });
    expect(wrong.statusCode).toBe(401);
    const changed = await call('POST', '/api/v1/auth/password', mine.access_token, {
      current_password: carl.password,
      new_password: 'carl-new-password-5678',
    });
    expect(changed.statusCode).toBe(200);
    const fresh = changed.json<{ access_token: string }>().access_token;
    expect((await login(carl.username, carl.password)).status).toBe(401);
    expect((await login(carl.username, 'carl-new-password-5678')).status).toBe(200);
    expect((await call('GET', '/api/v1/auth/me', fresh)).statusCode).toBe(200);
    const refresh = await call('POST', '/api/v1/auth/refresh', undefined, {
      refresh_token: other.refresh_token,
    });
    expect(refresh.statusCode).toBe(401);
  });
});
