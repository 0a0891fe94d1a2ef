import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAgentRunner, loadSteps } from '../../../src/agents/runner/index.js';
import { AgentBudgetsSchema, HttpFetchToolSchema } from '../../../src/config/schema.js';
import type { Db } from '../../../src/db/index.js';
import type { LlmService } from '../../../src/llm/index.js';
import {
  PermanentTaskError,
  TaskCancelledError,
  type TaskContext,
  type TaskRecord,
} from '../../../src/tasks/types.js';
import { createBuiltinTools } from '../../../src/tools/builtin/index.js';
import { createToolRegistry } from '../../../src/tools/registry.js';
import { freshPglite } from '../../helpers/db.js';
import { insertRunningTask } from '../../helpers/tasks.js';
import { startOllamaDouble, type ChatBody, type OllamaDouble } from '../../doubles/ollama-double.js';
import { service } from '../llm/helpers.js';

const log = pino({ level: 'silent' });
let double: OllamaDouble;
let llm: LlmService;
let db: Db;
let site: http.Server;
let siteUrl: string;
let siteHits = 0;

const tools = createToolRegistry([
  createBuiltinTools(HttpFetchToolSchema.parse({ allowPrivateHosts: ['127.0.0.1'] })),
]);
const budgets = AgentBudgetsSchema.parse({ maxSteps: 8 });

beforeAll(async () => {
  double = await startOllamaDouble();
  llm = service(double.url);
  db = await freshPglite();
  site = http.createServer((_req, res) => {
    siteHits += 1;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('the secret number is 42');
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/data`;
});
beforeEach(() => {
  double.reset();
  siteHits = 0;
});
afterAll(async () => {
  await llm.close();
  await db.close();
  await double.close();
  await new Promise<void>((r) => site.close(() => r()));
});

async function agent(name: string, toolNames: string[], capabilities: string[] = []): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO agents (name, description, capabilities, model, system_prompt, tools)
     VALUES ($1, $2, $3, 'tinyllama', $4, $5) RETURNING id`,
    [name, `${name} agent`, capabilities, `You are ${name}.`, toolNames],
  );
  return rows[0]!.id;
}

function task(agentId: string | null, payload: unknown, type = 'agent.run'): Promise<TaskRecord> {
  return insertRunningTask(db, agentId, payload, type);
}

function context(record: TaskRecord, checkpoint: () => Promise<void> = async () => {}): TaskContext {
  return { task: record, signal: new AbortController().signal, checkpoint, db, log };
}

const lastToolContent = (body: ChatBody) =>
  body.messages.filter((m) => m.role === 'tool').at(-1)?.content ?? '';

describe('agent runner tool loop', () => {
  it('runs two tools, repairs a bad argument from the validation error, and journals every step', async () => {
    const id = await agent('fetcher', ['http.fetch', 'time.now']);
    const seen: string[] = [];
    double.script([
      { tool_calls: [{ name: 'http.fetch', arguments: { address: siteUrl } }] },
      (body) => {
        seen.push(lastToolContent(body));
        return { tool_calls: [{ name: 'http.fetch', arguments: { url: siteUrl } }] };
      },
      (body) => {
        seen.push(lastToolContent(body));
        return { tool_calls: [{ name: 'time.now', arguments: { timezone: 'UTC' } }] };
      },
      (body) => {
        seen.push(lastToolContent(body));
        return { content: 'The number is 42.' };
      },
    ]);
    const record = await task(id, { prompt: 'Find the secret number at the data URL.' });
    const result = await createAgentRunner({ llm, tools, logger: log, budgets })(context(record));

    expect(result).toMatchObject({ answer: 'The number is 42.', steps: 7 });
    expect((result as { usage: { completion_tokens: number } }).usage.completion_tokens).toBeGreaterThan(0);
    expect(seen[0]).toMatch(/Invalid arguments for http.fetch: .*must have required property 'url'/);
    expect(seen[1]).toContain('the secret number is 42');
    expect(JSON.parse(seen[2]!)).toMatchObject({ timezone: 'UTC' });
    expect(siteHits).toBe(1);
    expect(double.requests[0]!.tools?.map((t) => t.function.name).sort()).toEqual(['http.fetch', 'time.now']);
    expect(double.requests[0]!.messages[0]).toMatchObject({ role: 'system', content: 'You are fetcher.' });

    const steps = await loadSteps(db, record.id);
    expect(steps.map((s) => (s.kind === 'tool' ? `tool:${s.toolName}:${s.error ?? 'ok'}` : 'model'))).toEqual(
      [
        'model',
        'tool:http.fetch:validation',
        'model',
        'tool:http.fetch:ok',
        'model',
        'tool:time.now:ok',
        'model',
      ],
    );
    const { rows } = await db.query<{ status: string }>('SELECT status FROM agents WHERE id = $1', [id]);
    expect(rows[0]!.status).toBe('idle');
  });

  it('resumes a re-delivered task after its last completed step without repeating the tool call', async () => {
    const id = await agent('resumer', ['http.fetch']);
    double.script([{ tool_calls: [{ name: 'http.fetch', arguments: { url: siteUrl } }] }]);
    const record = await task(id, { prompt: 'fetch it' });
    const runner = createAgentRunner({ llm, tools, logger: log, budgets });
    // First attempt: the worker loses the task right after the first tool call completes.
    const firstAttempt = runner(
      context(record, async () => {
        const steps = await loadSteps(db, record.id);
        if (steps.some((s) => s.kind === 'tool')) throw new TaskCancelledError(record.id);
      }),
    );
    await expect(firstAttempt).rejects.toBeInstanceOf(TaskCancelledError);
    expect(siteHits).toBe(1);

    double.script([
      (body) => ({
        content: lastToolContent(body).includes('42') ? 'resumed with 42' : 'lost the tool result',
      }),
    ]);
    const second = await runner(context({ ...record, attempts: record.attempts + 1 }));
    expect(second).toMatchObject({ answer: 'resumed with 42', steps: 3 });
    expect(siteHits).toBe(1);
    expect(double.counters.chatRequests).toBe(2); // one model turn per attempt, none repeated
    const steps = await loadSteps(db, record.id);
    expect(steps.map((s) => `${s.kind}@${s.attempt}`)).toEqual(['model@1', 'tool@1', 'model@2']);
  });

  it('offers no tools to an agent with an empty allow-list and refuses calls to tools it was not given', async () => {
    const id = await agent('toolless', []);
    double.script([
      { tool_calls: [{ name: 'http.fetch', arguments: { url: siteUrl } }] },
      (body) => ({ content: lastToolContent(body) }),
    ]);
    const result = (await createAgentRunner({ llm, tools, logger: log, budgets })(
      context(await task(id, { prompt: 'try' })),
    )) as { answer: string };
    expect(double.requests[0]!.tools).toBeUndefined();
    expect(result.answer).toMatch(/not available to this agent/);
    expect(siteHits).toBe(0);
  });

  it('stops at the step budget and fails permanently on an unknown model', async () => {
    const id = await agent('looper', ['time.now']);
    const loop = { tool_calls: [{ name: 'time.now', arguments: {} }] };
    double.script([loop, loop, loop]);
    const tight = createAgentRunner({ llm, tools, logger: log, budgets: { ...budgets, maxSteps: 2 } });
    await expect(tight(context(await task(id, { prompt: 'loop' })))).rejects.toBeInstanceOf(
      PermanentTaskError,
    );
    const { rows } = await db.query<{ status: string }>('SELECT status FROM agents WHERE id = $1', [id]);
    expect(rows[0]!.status).toBe('error');

    await db.query(`UPDATE agents SET model = 'no-such-model' WHERE id = $1`, [id]);
    const runner = createAgentRunner({ llm, tools, logger: log, budgets });
    await expect(runner(context(await task(id, { prompt: 'x' })))).rejects.toBeInstanceOf(PermanentTaskError);
  });

  it('routes a task with no agent to the best-matching agent and records score and reason', async () => {
    await agent('weather-bot', [], ['weather', 'forecast']);
    const coder = await agent('code-reviewer', [], ['code', 'review', 'typescript']);
    double.script([{ content: 'reviewed' }]);
    const record = await task(null, { prompt: 'Please review this TypeScript code for bugs' }, 'code.review');
    const result = await createAgentRunner({ llm, tools, logger: log, budgets })(context(record));
    expect(result).toMatchObject({ answer: 'reviewed' });
    const { rows } = await db.query<{ agent_id: string; routing_score: number; routing_reason: string }>(
      'SELECT agent_id, routing_score, routing_reason FROM tasks WHERE id = $1',
      [record.id],
    );
    expect(rows[0]!.agent_id).toBe(coder);
    expect(rows[0]!.routing_score).toBeGreaterThan(0);
    expect(rows[0]!.routing_reason).toMatch(/code-reviewer: bm25 .* on .*review/);
  });
});
