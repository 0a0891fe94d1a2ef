import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../src/app.js';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollama-double.js';
import { adminHeaders, startTestPlatform } from '../../helpers/platform.js';

// An agent declared as a file works a task from the queue on a (double) local model, calling a
// real built-in tool, with every step on record and the answer stored on the task.
let platform: Platform;
let double: OllamaDouble;
let base: string;
let headers: Record<string, string>;

beforeAll(async () => {
  double = await startOllamaDouble({ models: ['tinyllama:latest'] });
  const agentsDir = mkdtempSync(path.join(tmpdir(), 'sutazai-agents-'));
  mkdirSync(agentsDir, { recursive: true });
  writeFileSync(
    path.join(agentsDir, 'clock.md'),
    '---\nname: clock\ndescription: tells the time in UTC\ncapabilities: [time]\nmodel: tinyllama\ntools: time.now\n---\nYou answer questions about the current time.\n',
  );
  platform = await startTestPlatform({
    SUTAZAI_AGENTS_DIR: agentsDir,
    OLLAMA_HOST: double.url,
    SUTAZAI_WORKER_CONCURRENCY: '2',
  });
  base = await platform.listen();
  headers = { ...(await adminHeaders(base)), 'content-type': 'application/json' };
});

afterAll(async () => {
  await platform?.close();
  await double?.close();
});

async function finished(id: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const task = (await (await fetch(`${base}/api/v1/tasks/${id}`, { headers })).json()) as Record<
      string,
      unknown
    >;
    if (['completed', 'dead', 'cancelled'].includes(task.status as string)) return task;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('task did not finish');
}

describe('an agent from a file works a task end to end', () => {
  it('routes an agent.run task to the matching agent, calls the allowed tool, and stores the answer', async () => {
    double.script([
      { tool_calls: [{ name: 'time.now', arguments: {} }] },
      (body) => {
        const toolMessage = body.messages.find((m) => m.role === 'tool');
        return { content: `It is ${toolMessage?.content ?? 'unknown'}` };
      },
    ]);
    const post = await fetch(`${base}/api/v1/tasks`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ type: 'agent.run', payload: { prompt: 'What time is it in UTC?' } }),
    });
    expect(post.status).toBe(202);
    const task = await finished(((await post.json()) as { id: string }).id);
    expect(task.status, JSON.stringify(task)).toBe('completed');
    const result = task.result as { answer: string; usage: Record<string, number> };
    expect(result.answer).toMatch(/^It is .*\d{4}-\d{2}-\d{2}T/);
    expect(result.usage.prompt_tokens).toBeGreaterThan(0);

    // The model was offered only the agent's allowed tool and saw the agent's system prompt.
    const first = double.requests[0]!;
    expect(first.tools?.map((t) => t.function.name)).toEqual(['time.now']);
    expect(first.messages[0]).toMatchObject({
      role: 'system',
      content: expect.stringContaining('current time'),
    });

    const agent = (await (await fetch(`${base}/api/v1/agents/clock`, { headers })).json()) as Record<
      string,
      unknown
    >;
    expect(JSON.stringify(agent)).toContain(String(task.id));
  });

  it('answers chat through the same model backend and reports it in health', async () => {
    double.script([{ content: 'hello there' }]);
    const res = await fetch(`${base}/api/v1/chat`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ message: 'hi' }),
    });
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain('hello there');
    const health = (await (await fetch(`${base}/api/v1/health/detailed`)).json()) as {
      checks: Array<{ name: string; status: string }>;
    };
    expect(health.checks.find((c) => c.name.includes('ollama'))).toMatchObject({ status: 'up' });
  });
});
