import { afterEach, describe, expect, it } from 'vitest';
import type { Platform } from '../../../src/app.js';
import type { Config } from '../../../src/config/index.js';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollama-double.js';
import { adminHeaders, startTestPlatform } from '../../helpers/platform.js';

/**
 * Issue 9 item 7: a task whose model backend is down waits for it without spending attempts,
 * rescheduled for when the breaker half-opens; past queue.backendWaitMaxMs it is dead and says
 * for how long the backend was down. Durations are scaled down by config (breaker open 1 s
 * instead of 30 s, backoff 100 ms), the behaviour is the production one.
 */
let platform: Platform | undefined;
let double: OllamaDouble | undefined;

afterEach(async () => {
  await platform?.close();
  await double?.close();
  platform = undefined;
  double = undefined;
});

/** A port with nothing listening, that a double can take later. */
async function downPort(): Promise<number> {
  const probe = await startOllamaDouble();
  const { port } = probe;
  await probe.close();
  return port;
}

const shortTimes =
  (backendWaitMaxMs: number) =>
  (config: Config): void => {
    config.llm.breakerOpenMs = 1000;
    config.llm.breakerFailureThreshold = 2;
    config.llm.retries = 0;
    config.queue.backoffBaseMs = 100;
    config.queue.backoffMaxMs = 500;
    config.queue.backendWaitMaxMs = backendWaitMaxMs;
    config.worker.pollIntervalMs = 50;
  };

async function start(port: number, backendWaitMaxMs: number) {
  platform = await startTestPlatform(
    { OLLAMA_HOST: `http://127.0.0.1:${port}`, SUTAZAI_LLM_DEFAULT_MODEL: 'tinyllama' },
    {},
    shortTimes(backendWaitMaxMs),
  );
  const base = await platform.listen();
  const headers = { ...(await adminHeaders(base)), 'content-type': 'application/json' };
  const agent = await fetch(`${base}/api/v1/agents`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'echo', system_prompt: 'Repeat the task.', model: 'tinyllama' }),
  });
  expect(agent.status).toBe(201);
  const post = await fetch(`${base}/api/v1/tasks`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ type: 'agent.run', agent: 'echo', payload: { prompt: 'hello while down' } }),
  });
  expect(post.status).toBe(202);
  const { id } = (await post.json()) as { id: string };
  const read = async () =>
    (await (await fetch(`${base}/api/v1/tasks/${id}`, { headers })).json()) as {
      status: string;
      attempts: number;
      error: string | null;
      result: { answer?: string } | null;
    };
  const until = async (ok: (t: Awaited<ReturnType<typeof read>>) => boolean, what: string) => {
    for (let i = 0; i < 600; i++) {
      const task = await read();
      if (ok(task)) return task;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await read())}`);
  };
  return { until };
}

describe('agent tasks wait for a model backend that is down', () => {
  it('completes a task submitted while the backend was down, with attempts 1, once it is back', async () => {
    const port = await downPort();
    const { until } = await start(port, 60_000);
    // Refused connections open the breaker; the task keeps waiting with its attempt refunded.
    const waiting = await until(
      (t) => t.status === 'pending' && /circuit open/.test(t.error ?? ''),
      'the breaker to open',
    );
    expect(waiting.attempts).toBe(0);
    expect(waiting.error).toMatch(/BackendUnavailableError: ollama: circuit open/);
    // Stay down for several breaker windows (more tries than max_attempts 5 would allow if
    // each one spent an attempt): the task is still waiting, no attempt spent.
    await new Promise((r) => setTimeout(r, 6000));
    expect(await until(() => true, 'a read')).toMatchObject({ status: 'pending', attempts: 0 });
    double = await startOllamaDouble({ port, models: ['tinyllama:latest'] });
    const done = await until((t) => t.status !== 'pending' && t.status !== 'running', 'the task to finish');
    expect(done).toMatchObject({ status: 'completed', attempts: 1, error: null });
    expect(done.result?.answer).toContain('hello while down');
  });

  it('gives up after queue.backendWaitMaxMs with an error that says how long the backend was down', async () => {
    const { until } = await start(await downPort(), 1500);
    const dead = await until((t) => t.status === 'dead', 'the task to die');
    expect(dead.error).toMatch(
      /^backend ollama was down for \d+(\.\d)? s \(the limit is 1\.5 s, queue\.backendWaitMaxMs\); last error: ollama: /,
    );
    expect(dead.attempts).toBe(1);
  });
});
