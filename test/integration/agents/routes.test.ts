import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { syncAgentFiles } from '../../../src/agents/index.js';
import type { Db } from '../../../src/db/index.js';
import type { App } from '../../../src/http/types.js';
import { freshPglite } from '../../helpers/db.js';
import { buildAgentsApp } from './app.js';
import { agentFile, resetAgentTables, seedTasks, silentLogger, tempAgentsDir } from './helpers.js';

const body = (over: Record<string, unknown> = {}) => ({
  name: 'helper',
  description: 'Helps',
  capabilities: ['web'],
  system_prompt: 'You help.',
  tools: ['http.fetch'],
  configuration: { max_steps: 3 },
  ...over,
});

describe('agents routes (auth disabled)', () => {
  let db: Db;
  let app: App;
  const post = (payload: unknown) =>
    app.inject({ method: 'POST', url: '/api/v1/agents', payload: payload as object });

  beforeAll(async () => {
    db = await freshPglite();
    app = await buildAgentsApp(db);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });
  beforeEach(() => resetAgentTables(db));

  it('creates an agent: 201 with snake_case fields and source api', async () => {
    const res = await post(body({ model: 'tinyllama', type: 'assistant' }));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      name: 'helper',
      type: 'assistant',
      status: 'idle',
      model: 'tinyllama',
      system_prompt: 'You help.',
      tools: ['http.fetch'],
      configuration: { max_steps: 3 },
      source: 'api',
      read_only: false,
      last_heartbeat: null,
    });
    expect(res.json().id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.json().created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('creates an agent without a description (optional, stored as empty)', async () => {
    const { description: _none, ...rest } = body({ name: 'no-description' });
    const res = await post(rest);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name: 'no-description', description: '' });
  });

  it('answers 409 SUTAZAI_ERR_AGENT_NAME_TAKEN on a duplicate name', async () => {
    expect((await post(body())).statusCode).toBe(201);
    const res = await post(body());
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('SUTAZAI_ERR_AGENT_NAME_TAKEN');
  });

  it.each([
    ['an unknown field', body({ colour: 'blue' })],
    ['a bad name', body({ name: 'Not OK' })],
    ['tools of the wrong type', body({ tools: 'http.fetch' })],
    ['a missing system prompt', { name: 'x', description: 'd' }],
    ['configuration that is not an object', body({ configuration: [1] })],
  ])('answers 400 on %s', async (_label, payload) => {
    const res = await post(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('SUTAZAI_ERR_HTTP_VALIDATION');
  });

  it('lists with status and capability filters and cursor pagination', async () => {
    for (const name of ['a1', 'a2', 'a3', 'b1']) {
      await post(body({ name, capabilities: name.startsWith('a') ? ['alpha'] : ['beta'] }));
    }
    await db.query(`UPDATE agents SET status = 'busy' WHERE name = 'a2'`);
    const names = (res: { json(): { items: Array<{ name: string }> } }) =>
      res.json().items.map((a) => a.name);

    const page1 = await app.inject({ url: '/api/v1/agents?limit=2' });
    expect(names(page1)).toEqual(['a1', 'a2']);
    const cursor = page1.json().next_cursor as string;
    const page2 = await app.inject({ url: `/api/v1/agents?limit=2&cursor=${cursor}` });
    expect(names(page2)).toEqual(['a3', 'b1']);
    expect(page2.json().next_cursor).toBeNull();

    expect(names(await app.inject({ url: '/api/v1/agents?capability=beta' }))).toEqual(['b1']);
    expect(names(await app.inject({ url: '/api/v1/agents?status=busy' }))).toEqual(['a2']);
    expect((await app.inject({ url: '/api/v1/agents?status=sleepy' })).statusCode).toBe(400);
    const bad = await app.inject({ url: '/api/v1/agents?cursor=%%%' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('SUTAZAI_ERR_AGENT_BAD_CURSOR');
  });

  it('gets an agent by id and by name; malformed or unknown ids are 404', async () => {
    const id = (await post(body())).json().id as string;
    expect((await app.inject({ url: `/api/v1/agents/${id}` })).json().name).toBe('helper');
    expect((await app.inject({ url: '/api/v1/agents/helper' })).json().id).toBe(id);
    for (const bad of [
      'not-a-uuid-!',
      '00000000-0000-0000-0000-000000000000',
      'zzzzzzzz-zzzz',
      'UPPER',
      "x'%20OR%201=1",
    ]) {
      const res = await app.inject({ url: `/api/v1/agents/${bad}` });
      expect(res.statusCode, bad).toBe(404);
      expect(res.json().error.code).toBe('SUTAZAI_ERR_AGENT_NOT_FOUND');
    }
  });

  it('shows recent tasks, success rate and token use in the detail view', async () => {
    const id = (await post(body())).json().id as string;
    const usage = (p: number, c: number) => ({
      answer: 'ok',
      usage: { prompt_tokens: p, completion_tokens: c },
      steps: [],
    });
    await seedTasks(db, id, [
      {
        status: 'completed',
        result: usage(10, 5),
        createdAt: '2026-01-01T00:00:01Z',
        completedAt: '2026-01-01T00:01:00Z',
      },
      {
        status: 'completed',
        result: usage(20, 7),
        createdAt: '2026-01-01T00:00:02Z',
        completedAt: '2026-01-01T00:02:00Z',
      },
      {
        status: 'completed',
        result: usage(1, 1),
        createdAt: '2026-01-01T00:00:03Z',
        completedAt: '2026-01-01T00:03:00Z',
      },
      { status: 'dead', createdAt: '2026-01-01T00:00:04Z', completedAt: '2026-01-01T00:04:00Z' },
      { status: 'cancelled', createdAt: '2026-01-01T00:00:05Z' },
      {
        status: 'completed',
        result: { answer: 'x', usage: { prompt_tokens: 'many' } },
        createdAt: '2026-01-01T00:00:06Z',
      },
      { status: 'pending', createdAt: '2026-01-01T00:00:07Z' },
    ]);
    await db.query(
      `UPDATE agents SET last_heartbeat = '2026-01-02T00:00:00Z', status = 'busy' WHERE id = $1`,
      [id],
    );
    const res = await app.inject({ url: `/api/v1/agents/${id}` });
    expect(res.statusCode).toBe(200);
    const stats = res.json().stats;
    expect(stats.recent_tasks).toHaveLength(7);
    expect(stats.recent_tasks[0]).toMatchObject({
      status: 'pending',
      created_at: '2026-01-01T00:00:07.000Z',
      completed_at: null,
    });
    expect(stats.recent_tasks[6]).toMatchObject({
      status: 'completed',
      completed_at: '2026-01-01T00:01:00.000Z',
    });
    expect(stats.finished_considered).toBe(5);
    expect(stats.success_rate).toBeCloseTo(4 / 5);
    expect(stats.token_usage).toEqual({ prompt_tokens: 31, completion_tokens: 13, total_tokens: 44 });
    expect(stats.task_counts).toEqual({ pending: 1, running: 0, completed: 4, cancelled: 1, dead: 1 });
    expect(stats).toMatchObject({ status: 'busy', last_heartbeat: '2026-01-02T00:00:00.000Z' });
  });

  it('limits recent tasks to 10 and the success rate to the last 100 finished tasks', async () => {
    const id = (await post(body())).json().id as string;
    await db.query(
      `INSERT INTO tasks (agent_id, type, status, completed_at)
       SELECT $1, 'agent.run', CASE WHEN g <= 20 THEN 'dead' ELSE 'completed' END,
              '2026-01-01'::timestamptz + make_interval(mins => g)
       FROM generate_series(1, 120) AS g`,
      [id],
    );
    const stats = (await app.inject({ url: '/api/v1/agents/helper' })).json().stats;
    expect(stats.recent_tasks).toHaveLength(10);
    expect(stats.finished_considered).toBe(100);
    expect(stats.success_rate).toBe(1); // the 20 dead ones are the oldest, outside the window
  });

  it('reports a null success rate and zero tokens for an agent without tasks', async () => {
    await post(body());
    const stats = (await app.inject({ url: '/api/v1/agents/helper' })).json().stats;
    expect(stats).toMatchObject({ success_rate: null, finished_considered: 0, recent_tasks: [] });
    expect(stats.token_usage.total_tokens).toBe(0);
  });

  it('patches some fields, rejects unknown fields and renames onto a taken name', async () => {
    const id = (await post(body())).json().id as string;
    await post(body({ name: 'other' }));
    const res = await app.inject({
      method: 'PATCH',
      url: `/api/v1/agents/${id}`,
      payload: { description: 'Better', tools: [] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      description: 'Better',
      tools: [],
      system_prompt: 'You help.',
      capabilities: ['web'],
    });
    expect(Date.parse(res.json().updated_at)).toBeGreaterThanOrEqual(Date.parse(res.json().created_at));

    const unknown = await app.inject({
      method: 'PATCH',
      url: `/api/v1/agents/${id}`,
      payload: { status: 'busy' },
    });
    expect(unknown.statusCode).toBe(400);
    const wrongType = await app.inject({
      method: 'PATCH',
      url: `/api/v1/agents/${id}`,
      payload: { capabilities: 'web' },
    });
    expect(wrongType.statusCode).toBe(400);
    const empty = await app.inject({ method: 'PATCH', url: `/api/v1/agents/${id}`, payload: {} });
    expect(empty.statusCode).toBe(400);
    const taken = await app.inject({
      method: 'PATCH',
      url: `/api/v1/agents/${id}`,
      payload: { name: 'other' },
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('SUTAZAI_ERR_AGENT_NAME_TAKEN');
    const renamed = await app.inject({
      method: 'PATCH',
      url: '/api/v1/agents/helper',
      payload: { name: 'helper2', model: null },
    });
    expect(renamed.json()).toMatchObject({ id, name: 'helper2', model: null });
    const missing = await app.inject({
      method: 'PATCH',
      url: '/api/v1/agents/nobody',
      payload: { description: 'x' },
    });
    expect(missing.statusCode).toBe(404);
  });

  it('deletes an agent with 204; its tasks stay with agent_id null; a second delete is 404', async () => {
    const id = (await post(body())).json().id as string;
    const [taskId] = await seedTasks(db, id, [{ status: 'completed' }]);
    const res = await app.inject({ method: 'DELETE', url: `/api/v1/agents/${id}` });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/agents/${id}` })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/agents/%20bad' })).statusCode).toBe(404);
    const task = await db.query('SELECT agent_id FROM tasks WHERE id = $1', [taskId]);
    expect(task.rows).toEqual([{ agent_id: null }]);
  });

  it('documents every agent route in the OpenAPI document', async () => {
    const res = await app.inject({ url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const paths = res.json().paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths['/api/v1/agents']!).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/api/v1/agents/{id}']!).sort()).toEqual(['delete', 'get', 'patch']);
  });

  it('refuses PATCH and DELETE on file-managed agents with 409 SUTAZAI_ERR_AGENT_FILE_MANAGED', async () => {
    const files = await tempAgentsDir();
    try {
      await files.write('ops/filed.md', agentFile({ name: 'filed' }));
      await syncAgentFiles({ db, dir: files.dir, logger: silentLogger });
      const got = await app.inject({ url: '/api/v1/agents/filed' });
      expect(got.json()).toMatchObject({ source: 'file:ops/filed.md', read_only: true });
      for (const res of [
        await app.inject({ method: 'PATCH', url: '/api/v1/agents/filed', payload: { description: 'x' } }),
        await app.inject({ method: 'DELETE', url: '/api/v1/agents/filed' }),
      ]) {
        expect(res.statusCode).toBe(409);
        expect(res.json().error.code).toBe('SUTAZAI_ERR_AGENT_FILE_MANAGED');
        expect(res.json().error.message).toContain('ops/filed.md');
      }
      expect((await app.inject({ url: '/api/v1/agents/filed' })).statusCode).toBe(200);
    } finally {
      await files.cleanup();
    }
  });
});

describe('agents routes (auth enabled)', () => {
  let db: Db;
  let app: App;
  const as = (role: string | undefined) => (role ? { authorization: `Bearer ${role}` } : {});

  beforeAll(async () => {
    db = await freshPglite();
    app = await buildAgentsApp(db, true);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('lets a user read but not write; an admin may write; no credentials is 401', async () => {
    const asUser = await app.inject({
      method: 'POST',
      url: '/api/v1/agents',
      headers: as('user'),
      payload: body(),
    });
    expect(asUser.statusCode).toBe(403);
    expect(asUser.json().error.code).toBe('SUTAZAI_ERR_AUTH_FORBIDDEN');
    const asAdmin = await app.inject({
      method: 'POST',
      url: '/api/v1/agents',
      headers: as('admin'),
      payload: body(),
    });
    expect(asAdmin.statusCode).toBe(201);

    expect((await app.inject({ url: '/api/v1/agents', headers: as('user') })).json().items).toHaveLength(1);
    expect((await app.inject({ url: '/api/v1/agents/helper', headers: as('user') })).statusCode).toBe(200);
    const patch = await app.inject({
      method: 'PATCH',
      url: '/api/v1/agents/helper',
      headers: as('user'),
      payload: { description: 'x' },
    });
    expect(patch.statusCode).toBe(403);
    expect(
      (await app.inject({ method: 'DELETE', url: '/api/v1/agents/helper', headers: as('user') })).statusCode,
    ).toBe(403);
    expect((await app.inject({ url: '/api/v1/agents' })).statusCode).toBe(401);
    expect(
      (await app.inject({ method: 'DELETE', url: '/api/v1/agents/helper', headers: as('admin') })).statusCode,
    ).toBe(204);
  });
});
