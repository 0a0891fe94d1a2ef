import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/db/index.js';
import { buildHttpApp } from '../../../src/http/app.js';
import { MemoryRateLimiter } from '../../../src/http/rate-limit.js';
import { chatRoutes } from '../../../src/http/routes/chat.js';
import { conversationsRoutes } from '../../../src/http/routes/conversations.js';
import { modelsRoutes } from '../../../src/http/routes/models.js';
import type { App } from '../../../src/http/types.js';
import type { LlmService } from '../../../src/llm/index.js';
import { registry } from '../../../src/metrics/index.js';
import { freshPglite } from '../../helpers/db.js';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollama-double.js';
import { service, silent } from './helpers.js';

let double: OllamaDouble;
let llm: LlmService;
let db: Db;
let app: App;

beforeAll(async () => {
  double = await startOllamaDouble();
  llm = service(double.url, { modelParallel: 4 });
  db = await freshPglite();
  app = await buildHttpApp(
    {
      logger: silent,
      bodyLimitBytes: 1024 * 1024,
      requestTimeoutMs: 10_000,
      authEnabled: false,
      authenticator: { authenticate: async () => undefined },
      rateLimiter: new MemoryRateLimiter(),
      rateRules: { login: { max: 10, windowSeconds: 60 }, expensive: { max: 1000, windowSeconds: 60 } },
    },
    [chatRoutes({ llm, db }), modelsRoutes({ llm }), conversationsRoutes({ db })],
  );
});
beforeEach(() => double.reset());
afterAll(async () => {
  await app.close();
  await llm.close();
  await db.close();
  await double.close();
});

function parseSse(text: string): Array<{ event: string; data: Record<string, unknown> }> {
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as Record<string, unknown>;
      return { event, data };
    });
}

describe('chat routes', () => {
  it('answers a chat turn, persists the conversation and continues it', async () => {
    double.script([{ content: 'Paris is the capital.' }, { content: 'About 2 million.' }]);
    const first = await app.inject({
      method: 'POST',
      url: '/api/v1/chat',
      payload: { message: 'Capital of France?' },
    });
    expect(first.statusCode).toBe(200);
    const body = first.json();
    expect(body).toMatchObject({
      model: 'tinyllama',
      message: { role: 'assistant', content: 'Paris is the capital.' },
      cached: false,
    });
    expect(body.usage.completion_tokens).toBeGreaterThan(0);
    expect(first.headers['x-ratelimit-limit']).toBe('1000'); // the 'expensive' rule applies

    const second = await app.inject({
      method: 'POST',
      url: '/api/v1/chat',
      payload: { message: 'Population?', conversation_id: body.conversation_id },
    });
    expect(second.json().message.content).toBe('About 2 million.');
    expect(double.requests.at(-1)!.messages.map((m) => m.content)).toEqual([
      'Capital of France?',
      'Paris is the capital.',
      'Population?',
    ]);

    const list = await app.inject({ method: 'GET', url: '/api/v1/conversations' });
    expect(list.json().items.map((c: { id: string }) => c.id)).toContain(body.conversation_id);
    const one = await app.inject({ method: 'GET', url: `/api/v1/conversations/${body.conversation_id}` });
    expect(one.json().messages.map((m: { role: string }) => m.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    const missing = await app.inject({
      method: 'GET',
      url: '/api/v1/conversations/00000000-0000-4000-8000-000000000000',
    });
    expect(missing.json().error.code).toBe('SUTAZAI_ERR_LLM_CONVERSATION_NOT_FOUND');
  });

  it("uses an agent's system prompt and model when agent_id is given", async () => {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO agents (name, model, system_prompt) VALUES ('pirate', 'qwen2.5', 'Talk like a pirate.') RETURNING id`,
    );
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/chat',
      payload: { message: 'hello', agent_id: rows[0]!.id },
    });
    expect(res.json().model).toBe('qwen2.5');
    expect(double.requests.at(-1)!.messages[0]).toEqual({ role: 'system', content: 'Talk like a pirate.' });
    const missing = await app.inject({
      method: 'POST',
      url: '/api/v1/chat',
      payload: { message: 'x', agent_id: '00000000-0000-4000-8000-000000000000' },
    });
    expect(missing.json().error.code).toBe('SUTAZAI_ERR_AGENT_NOT_FOUND');
  });

  it('serves a repeated cached request without calling the model, counting hit and miss', async () => {
    const payload = { message: 'cache me', use_cache: true, options: { temperature: 0 } };
    const a = await app.inject({ method: 'POST', url: '/api/v1/chat', payload });
    const b = await app.inject({ method: 'POST', url: '/api/v1/chat', payload });
    expect(a.json().cached).toBe(false);
    expect(b.json().cached).toBe(true);
    expect(b.json().message.content).toBe('echo: cache me');
    expect(double.counters.chatRequests).toBe(1);
    const metric = await registry.getSingleMetricAsString('sutazai_llm_cache_total');
    expect(metric).toMatch(/result="hit"} [1-9]/);
    expect(metric).toMatch(/result="miss"} [1-9]/);
  });

  it('maps backend errors to catalogue codes: unknown model 404, bad body 400', async () => {
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/v1/chat',
      payload: { message: 'x', model: 'nope' },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('SUTAZAI_ERR_LLM_MODEL_NOT_FOUND');
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/chat',
      payload: { message: 'x', extra: 1 },
    });
    expect(bad.statusCode).toBe(400);
    const none = await app.inject({ method: 'POST', url: '/api/v1/chat', payload: { model: 'tinyllama' } });
    expect(none.statusCode).toBe(400);
  });

  it('answers 503 with Retry-After when the model stays busy', async () => {
    const busy = { status: 503, error: 'server busy, please try again.  maximum pending requests exceeded' };
    double.script([busy, busy, busy]);
    const res = await app.inject({ method: 'POST', url: '/api/v1/chat', payload: { message: 'x' } });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('SUTAZAI_ERR_LLM_BUSY');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('streams token deltas then final stats over SSE', async () => {
    double.script([{ content: 'one two three' }]);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/chat/stream',
      payload: { message: 'count' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    const events = parseSse(res.body);
    expect(events[0]?.event).toBe('start');
    expect(
      events
        .filter((e) => e.event === 'delta')
        .map((e) => e.data.content)
        .join(''),
    ).toBe('one two three');
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    expect(done.data).toMatchObject({ usage: { completion_tokens: 3 }, done_reason: 'stop' });
    expect((done.data.durations_ms as { total: number }).total).toBeGreaterThanOrEqual(0);
    const conv = await app.inject({
      method: 'GET',
      url: `/api/v1/conversations/${String(done.data.conversation_id)}`,
    });
    expect(conv.json().messages.at(-1).content).toBe('one two three');
  });

  it('reports a mid-stream failure as an SSE error event, and an early one as a status code', async () => {
    double.script([{ content: 'half', midStreamError: 'model crashed' }]);
    const res = await app.inject({ method: 'POST', url: '/api/v1/chat/stream', payload: { message: 'x' } });
    const events = parseSse(res.body);
    expect(events.at(-1)).toMatchObject({
      event: 'error',
      data: { error: { code: 'SUTAZAI_ERR_LLM_BACKEND_ERROR' } },
    });
    const early = await app.inject({
      method: 'POST',
      url: '/api/v1/chat/stream',
      payload: { message: 'x', model: 'nope' },
    });
    expect(early.statusCode).toBe(404);
  });

  it('runs a batch of 50 with 3 failing items and reports each one', async () => {
    const failing = new Set([7, 21, 42]);
    double.script(
      Array.from({ length: 50 }, () => (body: { messages: Array<{ content: string }> }) => {
        const n = Number(body.messages.at(-1)!.content.split(' ')[1]);
        return failing.has(n)
          ? { status: 400, error: `option "bogus" for prompt ${n} is invalid` }
          : { content: `answer ${n}` };
      }),
    );
    const prompts = Array.from({ length: 50 }, (_, i) => `prompt ${i}`);
    const res = await app.inject({ method: 'POST', url: '/api/v1/chat/batch', payload: { prompts } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ succeeded: 47, failed: 3 });
    expect(body.results).toHaveLength(50);
    for (const r of body.results) {
      if (failing.has(r.index))
        expect(r).toMatchObject({ ok: false, error: { code: 'SUTAZAI_ERR_HTTP_BAD_REQUEST' } });
      else expect(r).toMatchObject({ ok: true, content: `answer ${r.index}` });
    }
    const tooMany = await app.inject({
      method: 'POST',
      url: '/api/v1/chat/batch',
      payload: { prompts: [...prompts, 'x'] },
    });
    expect(tooMany.statusCode).toBe(400);
  });

  it('lists models with loaded ones and streams a pull as SSE or NDJSON', async () => {
    const models = await app.inject({ method: 'GET', url: '/api/v1/models' });
    expect(models.json()).toMatchObject({
      default_model: 'tinyllama',
      backends: [{ backend: 'ollama', breaker: 'closed' }],
    });
    const sse = await app.inject({ method: 'POST', url: '/api/v1/models/pull', payload: { model: 'phi3' } });
    const events = parseSse(sse.body);
    expect(events[0]).toMatchObject({ event: 'progress', data: { status: 'pulling manifest' } });
    expect(events.at(-1)).toMatchObject({ event: 'done' });
    const nd = await app.inject({
      method: 'POST',
      url: '/api/v1/models/pull',
      headers: { accept: 'application/x-ndjson' },
      payload: { model: 'phi3' },
    });
    const lines = nd.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; status?: string });
    expect(lines.some((l) => l.status === 'success')).toBe(true);
  });
});

describe('chat routes over a real socket', () => {
  let base: string;
  beforeAll(async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  it('answers a plain chat over HTTP (the client signal does not fire on a complete request)', async () => {
    const res = await fetch(`${base}/api/v1/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'over the wire' }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { message: { content: string } }).message.content).toBe(
      'echo: over the wire',
    );
  });

  it('a client that disconnects mid-stream aborts the model call and frees the slot', async () => {
    double.script([{ content: 'w1 w2 w3 w4 w5 w6 w7 w8 w9 w10', chunkDelayMs: 50 }]);
    const req = http.request(`${base}/api/v1/chat/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    const gotDelta = new Promise<void>((resolve, reject) => {
      req.on('response', (res) => {
        res.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('event: delta')) resolve();
        });
      });
      req.on('error', reject);
    });
    req.end(JSON.stringify({ message: 'stream then hang up' }));
    await gotDelta;
    expect(llm.slots('tinyllama').inFlight).toBe(1);
    req.destroy();
    await expect.poll(() => llm.slots('tinyllama').inFlight).toBe(0);
    await expect.poll(() => double.counters.clientAborts).toBe(1);
  });
});
