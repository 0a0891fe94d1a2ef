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
});
