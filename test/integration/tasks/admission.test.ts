import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAgent } from '../../../src/agents/index.js';
import { AgentRunPayloadSchema } from '../../../src/agents/runner/index.js';
import type { Db } from '../../../src/db/index.js';
import { buildHttpApp } from '../../../src/http/app.js';
import { MemoryRateLimiter } from '../../../src/http/rate-limit.js';
import { tasksRoutes } from '../../../src/http/routes/tasks.js';
import type { App } from '../../../src/http/types.js';
import { httpCheckTaskType, type TaskQueue, type TaskTypeInfo } from '../../../src/tasks/index.js';
import { makeQueue, silentLog } from '../../fixtures/queue/helpers.js';
import { freshPglite } from '../../helpers/db.js';

/** Issue 9 item 9: payloads are checked at the door, by the schema each task type declares. */
describe('POST /api/v1/tasks validates payloads and agents before storing', () => {
  let db: Db;
  let app: App;
  let queue: TaskQueue;
  let agentId: string;

  beforeAll(async () => {
    db = await freshPglite();
    queue = makeQueue(db);
    const { rows } = await db.query<{ id: string }>(
      "INSERT INTO agents (name) VALUES ('checker') RETURNING id",
    );
    agentId = rows[0]!.id;
    const taskTypes = new Map<string, TaskTypeInfo>([
      [httpCheckTaskType.type, httpCheckTaskType],
      ['agent.run', { type: 'agent.run', summary: 'run an agent', payload: AgentRunPayloadSchema }],
    ]);
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
      [tasksRoutes({ queue, taskTypes, findAgent: (idOrName) => findAgent(db, idOrName) })],
    );
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const post = (body: unknown) =>
    app.inject({ method: 'POST', url: '/api/v1/tasks', payload: body as object });
  const count = async () =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tasks')).rows[0]!.n;

  const refused = async (body: unknown, path: string) => {
    const before = await count();
    const res = await post(body);
    expect(res.statusCode, JSON.stringify(body)).toBe(400);
    const error = res.json().error as { code: string; details: Array<{ path: string }> };
    expect(error.code).toBe('SUTAZAI_ERR_HTTP_VALIDATION');
    expect(error.details.map((d) => d.path)).toContain(path);
    expect(await count()).toBe(before);
  };

  it('refuses http.check payloads that could never run, naming the field', async () => {
    await refused({ type: 'http.check', payload: 123 }, 'body.payload');
    await refused({ type: 'http.check', payload: {} }, 'body.payload.url');
    await refused({ type: 'http.check', payload: { url: 'file:///etc/passwd' } }, 'body.payload.url');
    await refused(
      { type: 'http.check', payload: { url: 'http://x/', timeoutMs: 999_999 } },
      'body.payload.timeoutMs',
    );
    await refused(
      { type: 'http.check', payload: { url: 'http://x/', method: 'DELETE' } },
      'body.payload.method',
    );
    await refused({ type: 'http.check', payload: { url: 'http://x/', extra: 1 } }, 'body.payload');
  });

  it('stores a valid payload with its defaults filled in, and the submitter role', async () => {
    const res = await post({ type: 'http.check', payload: { url: 'http://example.test/' } });
    expect(res.statusCode).toBe(202);
    const task = await queue.get(res.json<{ id: string }>().id);
    expect(task?.payload).toEqual({ url: 'http://example.test/', method: 'GET', timeoutMs: 10_000 });
    // Auth off: the caller is the anonymous admin.
    expect(task?.requestedByRole).toBe('admin');
  });

  it('records a user submitter as user (outbound connections obey it)', async () => {
    const userApp = await buildHttpApp(
      {
        logger: silentLog,
        bodyLimitBytes: 1 << 20,
        requestTimeoutMs: 5000,
        authEnabled: true,
        authenticator: {
          authenticate: async () => ({ kind: 'user', id: randomUUID(), name: 'bob', role: 'user' }),
        },
        rateLimiter: new MemoryRateLimiter(),
        rateRules: { login: { max: 10, windowSeconds: 60 }, expensive: { max: 1000, windowSeconds: 60 } },
      },
      [tasksRoutes({ queue, taskTypes: new Map([[httpCheckTaskType.type, httpCheckTaskType]]) })],
    );
    try {
      const res = await userApp.inject({
        method: 'POST',
        url: '/api/v1/tasks',
        payload: { type: 'http.check', payload: { url: 'http://127.0.0.1/' } },
      });
      expect(res.statusCode).toBe(202);
      expect((await queue.get(res.json<{ id: string }>().id))?.requestedByRole).toBe('user');
    } finally {
      await userApp.close();
    }
  });

  it('takes the agent by name (agent, or agent_id) or by id, and refuses unknown agents', async () => {
    for (const named of [{ agent: 'checker' }, { agent_id: 'checker' }, { agent_id: agentId }]) {
      const res = await post({ type: 'agent.run', ...named, payload: { prompt: 'hi' } });
      expect(res.statusCode, JSON.stringify(named)).toBe(202);
      expect((await queue.get(res.json<{ id: string }>().id))?.agentId).toBe(agentId);
    }
    const inPayload = await post({ type: 'agent.run', payload: { agent: 'checker', prompt: 'hi' } });
    expect(inPayload.statusCode).toBe(202);
    expect((await queue.get(inPayload.json<{ id: string }>().id))?.agentId).toBe(agentId);
    await refused({ type: 'agent.run', agent: 'nosuch' }, 'body.agent');
    await refused({ type: 'agent.run', agent_id: '00000000-0000-4000-8000-000000000000' }, 'body.agent_id');
    await refused({ type: 'agent.run', payload: { agent: 'nosuch' } }, 'body.payload.agent');
    await refused({ type: 'agent.run', agent: 'checker', agent_id: agentId }, 'body.agent');
    await refused({ type: 'agent.run', payload: { prompt: 42 } }, 'body.payload.prompt');
  });

  it('lists task types with the JSON Schema of their payloads', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/task-types' });
    expect(res.statusCode).toBe(200);
    const items = res.json<{ items: Array<{ type: string; payload_schema: Record<string, unknown> }> }>()
      .items;
    const check = items.find((t) => t.type === 'http.check')!;
    expect(check.payload_schema).toMatchObject({
      type: 'object',
      required: ['url'],
      additionalProperties: false,
      properties: { timeoutMs: { maximum: 30_000 }, method: { enum: ['GET', 'HEAD'] } },
    });
    expect(items.map((t) => t.type)).toContain('agent.run');
  });
});
