import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Db } from '../../../src/db/index.js';
import { buildHttpApp } from '../../../src/http/app.js';
import { MemoryRateLimiter } from '../../../src/http/rate-limit.js';
import { tasksRoutes } from '../../../src/http/routes/tasks.js';
import type { App } from '../../../src/http/types.js';
import { httpCheckTaskType, type TaskTypeInfo } from '../../../src/tasks/index.js';
import { makeQueue, silentLog } from '../../fixtures/queue/helpers.js';
import { freshPglite } from '../../helpers/db.js';

describe('tasks HTTP API', () => {
  let db: Db;
  let app: App;
  let agentId: string;

  beforeAll(async () => {
    db = await freshPglite();
    const queue = makeQueue(db);
    const { rows } = await db.query<{ id: string }>("INSERT INTO agents (name) VALUES ('a1') RETURNING id");
    agentId = rows[0]!.id;
    app = await buildHttpApp(
      {
        logger: silentLog,
        bodyLimitBytes: 1 << 20,
        requestTimeoutMs: 5000,
        authEnabled: false,
        authenticator: { authenticate: async () => undefined },
        rateLimiter: new MemoryRateLimiter(),
        rateRules: { login: { max: 10, windowSeconds: 60 }, expensive: { max: 1000, windowSeconds: 60 } },
      },
      [
        tasksRoutes({
          queue,
          taskTypes: new Map<string, TaskTypeInfo>([
            [httpCheckTaskType.type, httpCheckTaskType],
            ['noop', { type: 'noop', summary: 'does nothing', payload: z.unknown() }],
          ]),
        }),
      ],
    );
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const post = (payload: unknown) =>
    app.inject({ method: 'POST', url: '/api/v1/tasks', payload: payload as object });
  const get = (url: string) => app.inject({ method: 'GET', url });

  it('answers 202 with the id once stored, and GET shows the task in snake_case', async () => {
    const res = await post({ type: 'http.check', payload: { url: 'http://127.0.0.1:1/' }, priority: 5 });
    expect(res.statusCode).toBe(202);
    expect(res.headers['x-ratelimit-limit']).toBe('1000');
    const { id, status } = res.json<{ id: string; status: string }>();
    expect(status).toBe('pending');
    const shown = await get(`/api/v1/tasks/${id}`);
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toMatchObject({
      id,
      type: 'http.check',
      status: 'pending',
      priority: 5,
      max_attempts: 5,
      attempts: 0,
      agent_id: null,
      cancel_requested: false,
      payload: { url: 'http://127.0.0.1:1/' },
    });
  });

  it('accepts agent tasks, rejects unknown types, unknown agents and unknown fields', async () => {
    expect((await post({ type: 'agent.run' })).statusCode).toBe(202);
    expect((await post({ type: 'anything', agent_id: agentId })).statusCode).toBe(202);
    const unknown = await post({ type: 'mystery' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('SUTAZAI_ERR_TASK_UNKNOWN_TYPE');
    const noAgent = await post({ type: 'agent.run', agent_id: '00000000-0000-4000-8000-000000000000' });
    expect(noAgent.statusCode).toBe(400);
    expect(noAgent.json().error).toMatchObject({
      code: 'SUTAZAI_ERR_HTTP_VALIDATION',
      details: [{ path: 'body.agent_id' }],
    });
    const extra = await post({ type: 'noop', surprise: true });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.code).toBe('SUTAZAI_ERR_HTTP_VALIDATION');
    expect((await post({ type: 'noop', max_attempts: 0 })).statusCode).toBe(400);
  });

  it('answers 404 for a missing task and for a malformed id, never 500', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', "1' OR 1=1"]) {
      const res = await get(`/api/v1/tasks/${encodeURIComponent(id)}`);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('SUTAZAI_ERR_TASK_NOT_FOUND');
      const cancel = await app.inject({
        method: 'POST',
        url: `/api/v1/tasks/${encodeURIComponent(id)}/cancel`,
      });
      expect(cancel.statusCode).toBe(404);
    }
  });

  it('cancels a pending task, then answers 409 because it is finished', async () => {
    const { id } = (await post({ type: 'noop' })).json<{ id: string }>();
    const first = await app.inject({ method: 'POST', url: `/api/v1/tasks/${id}/cancel` });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ id, status: 'cancelled', cancel_requested: true });
    const again = await app.inject({ method: 'POST', url: `/api/v1/tasks/${id}/cancel` });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('SUTAZAI_ERR_TASK_NOT_CANCELLABLE');
  });

  it('lists with filters and walks every page by cursor without gaps or repeats', async () => {
    const created: string[] = [];
    for (let i = 0; i < 7; i++)
      created.push((await post({ type: 'noop', payload: { i } })).json<{ id: string }>().id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(
        `/api/v1/tasks?type=noop&status=pending&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.statusCode).toBe(200);
      const body = res.json<{ items: Array<{ id: string; type: string }>; next_cursor: string | null }>();
      expect(body.items.length).toBeLessThanOrEqual(3);
      expect(body.items.every((t) => t.type === 'noop')).toBe(true);
      seen.push(...body.items.map((t) => t.id));
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...created].reverse().concat(seen.slice(created.length)));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(0, 7)).toEqual([...created].reverse());
    const byAgent = await get(`/api/v1/tasks?agent_id=${agentId}`);
    expect(byAgent.json().items.map((t: { agent_id: string }) => t.agent_id)).toEqual([agentId]);
  });

  it('rejects a forged cursor and bad query values with 400', async () => {
    const bad = await get('/api/v1/tasks?cursor=bm90LWEtY3Vyc29y');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('SUTAZAI_ERR_TASK_BAD_CURSOR');
    expect((await get('/api/v1/tasks?status=exploded')).statusCode).toBe(400);
    expect((await get('/api/v1/tasks?limit=0')).statusCode).toBe(400);
  });
  const postBatch = (payload: unknown) =>
    app.inject({ method: 'POST', url: '/api/v1/tasks/batch', payload: payload as object });

  it('POST /api/v1/tasks/batch stores every item in order and answers their ids', async () => {
    const items = [
      { type: 'http.check', payload: { url: 'http://127.0.0.1:1/a' }, priority: 3 },
      { type: 'noop', payload: { n: 1 } },
      { type: 'anything', agent_id: agentId },
    ];
    const res = await postBatch({ items });
    expect(res.statusCode).toBe(202);
    const answered = res.json<{ items: Array<{ id: string; status: string }> }>().items;
    expect(answered.map((t) => t.status)).toEqual(['pending', 'pending', 'pending']);
    const shown = await Promise.all(answered.map((t) => get(`/api/v1/tasks/${t.id}`)));
    expect(shown.map((r) => r.json<{ type: string }>().type)).toEqual(['http.check', 'noop', 'anything']);
    expect(shown[0]!.json()).toMatchObject({ priority: 3, payload: { url: 'http://127.0.0.1:1/a' } });
    expect(shown[2]!.json()).toMatchObject({ agent_id: agentId });
  });

  it('a batch with bad items stores nothing and names every bad item by its path', async () => {
    const count = async () => (await db.query('SELECT 1 FROM tasks')).rows.length;
    const before = await count();
    const res = await postBatch({
      items: [
        { type: 'noop' },
        { type: 'http.check', payload: { url: 'ftp://x' } },
        { type: 'mystery' },
        { type: 'http.check', payload: {} },
      ],
    });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ error: { code: string; details: Array<{ path: string }> } }>();
    expect(body.error.code).toBe('SUTAZAI_ERR_HTTP_VALIDATION');
    const paths = body.error.details.map((d) => d.path);
    expect(paths).toContain('body.items.1.payload.url');
    expect(paths).toContain('body.items.2.type');
    expect(paths).toContain('body.items.3.payload.url');
    expect(paths.some((p) => p.startsWith('body.items.0'))).toBe(false);
    expect(await count()).toBe(before);
    // Agent ids are checked by the database here (no agent lookup): the same all-or-nothing.
    const missing = '00000000-0000-4000-8000-000000000000';
    const noAgent = await postBatch({ items: [{ type: 'noop' }, { type: 'agent.run', agent_id: missing }] });
    expect([noAgent.statusCode, noAgent.json().error.details[0].path]).toEqual([
      400,
      'body.items.1.agent_id',
    ]);
    expect(await count()).toBe(before);
  });

  it('a batch is 1 to 1000 items of the single-task shape; unknown fields are named by item', async () => {
    expect((await postBatch({ items: [] })).statusCode).toBe(400);
    const tooMany = await postBatch({ items: Array.from({ length: 1001 }, () => ({ type: 'noop' })) });
    expect([tooMany.statusCode, tooMany.json().error.details[0].path]).toEqual([400, 'body.items']);
    const extra = await postBatch({ items: [{ type: 'noop' }, { type: 'noop', colour: 'red' }] });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.details[0].path).toBe('body.items.1');
    expect(
      (await postBatch({ items: Array.from({ length: 1000 }, () => ({ type: 'noop' })) })).statusCode,
    ).toBe(202);
  });
});
