import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../src/app.js';
import { adminHeaders, startTestPlatform } from '../../helpers/platform.js';
import { dataOf, openSse, type SseClient, type SseFrame } from '../../helpers/sse.js';

interface TaskEvent {
  id: string;
  type: string;
  state: string;
  agent_id: string | null;
  attempts: number;
  updated_at: string;
}

const isTask = (taskId: string, state?: string) => (f: SseFrame) =>
  f.event === 'task' &&
  dataOf<TaskEvent>(f).id === taskId &&
  (!state || dataOf<TaskEvent>(f).state === state);

describe('GET /api/v1/events on the whole platform', () => {
  let platform: Platform;
  let base: string;
  let admin: Record<string, string>;
  const users: Record<'ada' | 'bob', Record<string, string>> = { ada: {}, bob: {} };
  const streams: SseClient[] = [];

  async function json(method: string, path: string, headers: Record<string, string>, body?: unknown) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  async function stream(headers: Record<string, string>, extra: Record<string, string> = {}) {
    const s = await openSse(`${base}/api/v1/events`, { ...headers, ...extra });
    streams.push(s);
    return s;
  }
  /** A task of type http.check (the worker is off: it stays pending until the test moves it). */
  async function createTask(headers: Record<string, string>): Promise<string> {
    const res = await json('POST', '/api/v1/tasks', headers, {
      type: 'http.check',
      payload: { url: 'http://127.0.0.1:9/' },
    });
    expect(res.status).toBe(202);
    return res.body.id as string;
  }
  /** What a worker in any process does: the database's trigger reports it. */
  async function setState(id: string, status: string) {
    await platform.db.query(
      `UPDATE tasks SET status = $2, attempts = attempts + CASE WHEN $2 = 'running' THEN 1 ELSE 0 END,
         completed_at = CASE WHEN $2 IN ('completed', 'cancelled', 'dead') THEN now() END,
         lease_expires_at = CASE WHEN $2 = 'running' THEN now() + interval '1 minute' END,
         updated_at = now() WHERE id = $1`,
      [id, status],
    );
  }

  beforeAll(async () => {
    platform = await startTestPlatform({}, {}, (config) => {
      config.worker.enabled = false;
      config.events.heartbeatMs = 200;
      config.events.healthIntervalMs = 100;
    });
    base = await platform.listen();
    admin = await adminHeaders(base);
    for (const name of ['ada', 'bob'] as const) {
      const password = `${name}-password-12345`;
      expect((await json('POST', '/api/v1/users', admin, { username: name, password })).status).toBe(201);
      const login = await json('POST', '/api/v1/auth/login', {}, { username: name, password });
      users[name] = { authorization: `Bearer ${login.body.access_token as string}` };
    }
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    await platform?.close();
  });

  it('refuses a caller without credentials (401) and answers text/event-stream with a retry hint', async () => {
    const anon = await fetch(`${base}/api/v1/events`);
    expect(anon.status).toBe(401);
    const s = await stream(users.ada);
    expect(s.status).toBe(200);
    await s.waitFor((f) => f.comments.length === 0 && f.event === undefined);
    s.close();
  });

  it("delivers a task's state changes to its owner in order, with the contract's fields", async () => {
    const s = await stream(users.ada);
    const id = await createTask(users.ada);
    await s.waitFor(isTask(id, 'pending'));
    await setState(id, 'running');
    await setState(id, 'completed');
    await s.waitFor(isTask(id, 'completed'));
    const states = s.frames.filter(isTask(id)).map((f) => dataOf<TaskEvent>(f).state);
    expect(states).toEqual(['pending', 'running', 'completed']);
    const last = dataOf<TaskEvent>(s.frames.filter(isTask(id)).at(-1)!);
    expect(last).toEqual({
      id,
      type: 'http.check',
      state: 'completed',
      agent_id: null,
      attempts: 1,
      updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const ids = s.frames.filter((f) => f.id).map((f) => Number(f.id!.split('.')[1]));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    s.close();
  });

  it("does not show a user another user's task; admins see both", async () => {
    const bob = await stream(users.bob);
    const all = await stream(admin);
    const adas = await createTask(users.ada);
    const bobs = await createTask(users.bob);
    // Ada's task committed first, so had Bob been sent it, it would precede his own.
    await bob.waitFor(isTask(bobs));
    expect(bob.frames.some(isTask(adas))).toBe(false);
    await all.waitFor(isTask(adas));
    await all.waitFor(isTask(bobs));
    bob.close();
    all.close();
  });

  it('resumes after Last-Event-ID with exactly the missed events; an unknown id answers reset', async () => {
    const first = await stream(users.ada);
    const id = await createTask(users.ada);
    const seen = await first.waitFor(isTask(id, 'pending'));
    first.close();
    await setState(id, 'running');
    await setState(id, 'completed');
    const resumed = await stream(users.ada, { 'last-event-id': seen.id! });
    await resumed.waitFor(isTask(id, 'completed'));
    const events = resumed.frames.filter((f) => f.event);
    expect(events.map((f) => dataOf<TaskEvent>(f).state)).toEqual(['running', 'completed']);
    resumed.close();

    const bogus = await stream(users.ada, { 'last-event-id': 'feedface.1' });
    const reset = await bogus.waitFor((f) => f.event !== undefined);
    expect(reset.event).toBe('reset');
    bogus.close();
  });

  it('sends heartbeat comments at the configured interval, and health changes', async () => {
    const s = await stream(users.ada);
    await s.waitFor((f) => f.comments.includes('hb'));
    // Health is polled while streams are open and published on change; the first check of the
    // database (a change from "never seen") happened during an earlier test, so replay from the
    // start of this process's ring to find it.
    const id = await createTask(users.ada);
    const epoch = (await s.waitFor(isTask(id))).id!.split('.')[0];
    s.close();
    const replay = await stream(users.ada, { 'last-event-id': `${epoch}.0` });
    const db = await replay.waitFor((f) => f.event === 'health' && dataOf(f).name === 'database');
    expect(dataOf(db)).toMatchObject({ status: 'up', checked_at: expect.any(String) });
    expect(typeof dataOf(db).latency_ms).toBe('number');
    replay.close();
  });

  it('sends doctor reports to admins only, and the overview shows the last one', async () => {
    const root = await stream(admin);
    const ada = await stream(users.ada);
    const report = await fetch(`${base}/api/v1/doctor/report`, { headers: admin });
    expect(report.status).toBe(200);
    const doctor = await root.waitFor((f) => f.event === 'doctor');
    expect(dataOf(doctor)).toMatchObject({
      at: expect.any(String),
      findings: { critical: expect.any(Number), info: expect.any(Number) },
    });
    const id = await createTask(users.ada); // after the report: Ada would have had it first
    await ada.waitFor(isTask(id));
    expect(ada.frames.some((f) => f.event === 'doctor')).toBe(false);
    const overview = await json('GET', '/api/v1/overview', users.ada);
    expect((overview.body.doctor as { at: string }).at).toBe(dataOf(doctor).at);
    root.close();
    ada.close();
  });

  it('GET /api/v1/tasks/{id}/steps answers the owner the step trace and another user 404', async () => {
    const id = await createTask(users.ada);
    const s = await stream(users.ada);
    await platform.db.query(
      `INSERT INTO task_steps (task_id, seq, attempt, kind, message, prompt_tokens, completion_tokens, duration_ms)
       VALUES ($1, 0, 1, 'model', '{"role":"assistant","content":"","tool_calls":[]}', 10, 5, 12.5)`,
      [id],
    );
    await platform.db.query(
      `INSERT INTO task_steps (task_id, seq, attempt, kind, tool_name, tool_call_id, arguments, result, duration_ms)
       VALUES ($1, 1, 1, 'tool', 'clock.now', 'call_1', '{"tz":"UTC"}', '{"content":"12:00","isError":false}', 3)`,
      [id],
    );
    const stepEvent = await s.waitFor((f) => f.event === 'task_step' && dataOf(f).seq === 1);
    expect(dataOf(stepEvent)).toEqual({
      task_id: id,
      seq: 1,
      attempt: 1,
      kind: 'tool',
      tool_name: 'clock.now',
      duration_ms: 3,
    });
    s.close();
    const own = await json('GET', `/api/v1/tasks/${id}/steps`, users.ada);
    expect(own.status).toBe(200);
    const steps = own.body.steps as Array<Record<string, unknown>>;
    expect(steps.map((x) => x.kind)).toEqual(['model', 'tool']);
    expect(steps[0]).toMatchObject({ seq: 0, prompt_tokens: 10, completion_tokens: 5, duration_ms: 12.5 });
    expect(steps[1]).toMatchObject({
      tool_name: 'clock.now',
      tool_call_id: 'call_1',
      arguments: { tz: 'UTC' },
      result: { content: '12:00', isError: false },
      error: null,
    });
    expect(typeof steps[1]!.created_at).toBe('string');
    const other = await json('GET', `/api/v1/tasks/${id}/steps`, users.bob);
    expect(other.status).toBe(404);
    expect((other.body.error as { code: string }).code).toBe('SUTAZAI_ERR_TASK_NOT_FOUND');
    expect((await json('GET', `/api/v1/tasks/${id}/steps`, admin)).status).toBe(200);
  });

  it('GET /api/v1/overview counts the queue by state and shows backends and MCP states', async () => {
    const res = await json('GET', '/api/v1/overview', users.ada);
    expect(res.status).toBe(200);
    const body = res.body as {
      queue: { by_state: Record<string, number>; throughput_per_min: number; lag_ms: number | null };
      mcp: { by_state: Record<string, number> };
      llm: { backends: Array<{ name: string; breaker: string; models: unknown[] }> };
    };
    const { rows } = await platform.db.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM tasks GROUP BY status',
    );
    for (const row of rows) expect(body.queue.by_state[row.status]).toBe(row.n);
    expect(body.queue.by_state.completed).toBeGreaterThanOrEqual(2);
    expect(body.queue.throughput_per_min).toBeGreaterThanOrEqual(2);
    expect(body.queue.lag_ms).toBeGreaterThanOrEqual(0); // pending tasks are waiting: the worker is off
    expect(body.mcp.by_state).toMatchObject({ ready: 0, crashloop: 0 });
    expect(body.llm.backends[0]).toMatchObject({ name: 'ollama', breaker: 'closed' });
  });

  it('ends open streams when the platform closes, and close does not wait for them', async () => {
    const s = await stream(users.ada);
    await s.waitFor((f) => f.comments.includes('hb'));
    await platform.close();
    await s.ended;
  });
});
