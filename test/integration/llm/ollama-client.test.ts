import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LlmError } from '../../../src/llm/index.js';
import { type LlmService, type StreamEvent } from '../../../src/llm/index.js';
import { registry } from '../../../src/metrics/index.js';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollama-double.js';
import { service } from './helpers.js';

let double: OllamaDouble;
let llm: LlmService;
const user = (content: string) => [{ role: 'user' as const, content }];

beforeAll(async () => {
  double = await startOllamaDouble({
    models: ['tinyllama:latest', 'plain:latest'],
    noTools: ['plain:latest'],
  });
  llm = service(double.url);
});
afterEach(async () => {
  // Let requests a test abandoned finish at the double, so the next test's counters start clean.
  await expect.poll(() => Object.values(double.counters.open).every((n) => n === 0)).toBe(true);
  double.reset();
});
afterAll(async () => {
  await llm.close();
  await double.close();
});

describe('Ollama client through the LLM service', () => {
  it('streams deltas, tool calls and the final stats from /api/chat', async () => {
    double.script([
      { content: 'Hello there world', tool_calls: [{ name: 'time.now', arguments: { tz: 'UTC' } }] },
    ]);
    const events: StreamEvent[] = [];
    for await (const e of llm.stream({ model: 'tinyllama', messages: user('hi') })) events.push(e);
    const text = events.flatMap((e) => (e.type === 'delta' ? [e.content] : [])).join('');
    expect(text).toBe('Hello there world');
    const calls = events.find((e) => e.type === 'tool_calls');
    expect(calls && calls.type === 'tool_calls' && calls.calls[0]).toMatchObject({
      name: 'time.now',
      arguments: { tz: 'UTC' },
    });
    const done = events.at(-1);
    expect(done?.type).toBe('done');
    if (done?.type === 'done') {
      expect(done.stats.usage.completion_tokens).toBe(3);
      expect(done.stats.usage.prompt_tokens).toBeGreaterThan(0);
    }
    expect(double.requests[0]).toMatchObject({ model: 'tinyllama', stream: true });
  });

  it('fails with a permanent model_not_found on 404 and does not retry it', async () => {
    const err = (await llm.chat({ model: 'nope', messages: user('x') }).catch((e: unknown) => e)) as LlmError;
    expect(err.kind).toBe('model_not_found');
    expect(err.permanent).toBe(true);
    expect(double.counters.chatRequests).toBe(1);
  });

  it('maps 400 "does not support tools" to a permanent tools_unsupported', async () => {
    const tools = [{ name: 't', description: 'd', parameters: { type: 'object' } }];
    const err = (await llm
      .chat({ model: 'plain', messages: user('x'), tools })
      .catch((e: unknown) => e)) as LlmError;
    expect(err.kind).toBe('tools_unsupported');
    expect(err.permanent).toBe(true);
  });

  it('retries 503 server busy with backoff and succeeds when the backend recovers', async () => {
    const busy = { status: 503, error: 'server busy, please try again.  maximum pending requests exceeded' };
    double.script([busy, { status: 499, error: 'client closed' }, { content: 'finally' }]);
    const result = await llm.chat({ model: 'tinyllama', messages: user('x') });
    expect(result.message.content).toBe('finally');
    expect(double.counters.chatRequests).toBe(3);
  });

  it('surfaces 503 after the retries are used up', async () => {
    const busy = { status: 503, error: 'server busy, please try again.  maximum pending requests exceeded' };
    double.script([busy, busy, busy, busy]);
    const err = (await llm
      .chat({ model: 'tinyllama', messages: user('x') })
      .catch((e: unknown) => e)) as LlmError;
    expect(err.kind).toBe('busy');
    expect(double.counters.chatRequests).toBe(3); // first try + 2 retries
    expect(llm.breakerState('ollama')).toBe('closed'); // a busy server is not a broken one
  });

  it('fails cleanly on an {"error"} line mid-stream and frees the slot', async () => {
    double.script([
      { content: 'partial answer', midStreamError: 'an error was encountered while running the model' },
    ]);
    const seen: string[] = [];
    const err = await (async () => {
      for await (const e of llm.stream({ model: 'tinyllama', messages: user('x') }))
        if (e.type === 'delta') seen.push(e.content);
    })().catch((e: unknown) => e);
    expect((err as LlmError).kind).toBe('stream');
    expect((err as LlmError).message).toContain('error was encountered');
    expect(seen.join('')).toBe('partial answer');
    expect(double.counters.chatRequests).toBe(1); // tokens were already out: never retried
    expect(llm.slots('tinyllama').inFlight).toBe(0);
  });

  it('cancelling mid-stream frees the limiter slot and closes the connection', async () => {
    double.script([{ content: 'one two three four five six seven eight', chunkDelayMs: 30 }]);
    const ac = new AbortController();
    const stream = llm.stream({ model: 'tinyllama', messages: user('x') }, { signal: ac.signal });
    const first = await stream.next();
    expect(first.value).toMatchObject({ type: 'delta' });
    expect(llm.slots('tinyllama').inFlight).toBe(1);
    ac.abort();
    const err = await stream.next().catch((e: unknown) => e);
    expect((err as LlmError).kind).toBe('aborted');
    expect(llm.slots('tinyllama').inFlight).toBe(0);
    await expect.poll(() => double.counters.clientAborts).toBe(1);
  });

  it('a consumer that stops iterating early also frees the slot', async () => {
    double.script([{ content: 'a b c d e f', chunkDelayMs: 10 }]);
    for await (const e of llm.stream({ model: 'tinyllama', messages: user('x') }))
      if (e.type === 'delta') break;
    expect(llm.slots('tinyllama').inFlight).toBe(0);
  });

  it('never lets more than the per-model limit reach the backend (double counters)', async () => {
    double.setLatency(40);
    try {
      const all = Array.from({ length: 10 }, (_, i) =>
        llm.chat({ model: 'tinyllama', messages: user(`q${i}`) }),
      );
      const results = await Promise.all(all);
      expect(results).toHaveLength(10);
      expect(double.counters.byModel['tinyllama:latest']).toBe(10);
      expect(double.counters.maxConcurrent['tinyllama:latest']).toBe(2);
    } finally {
      double.setLatency(0);
    }
  });

  it('answers busy past the wait-queue cap instead of queueing in Ollama', async () => {
    const small = service(double.url, { modelParallel: 1, maxQueuePerModel: 1 });
    double.setLatency(50);
    try {
      const outcomes = await Promise.allSettled(
        [1, 2, 3].map((i) => small.chat({ model: 'tinyllama', messages: user(`${i}`) })),
      );
      const kinds = outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : (o.reason as LlmError).kind));
      expect(kinds.sort()).toEqual(['limiter_full', 'ok', 'ok']);
      expect(double.counters.maxConcurrent['tinyllama:latest']).toBe(1);
    } finally {
      double.setLatency(0);
      await small.close();
    }
  });

  it('lists models and loaded models, pulls with progress, embeds and reports the version probe', async () => {
    await llm.chat({ model: 'tinyllama', messages: user('load it') });
    const [entry] = await llm.models();
    expect(entry?.models.map((m) => m.name)).toContain('tinyllama:latest');
    expect(entry?.loaded.map((m) => m.name)).toEqual(['tinyllama:latest']);
    const progress = [];
    for await (const p of llm.pull('newmodel')) progress.push(p.status);
    expect(progress.at(0)).toBe('pulling manifest');
    expect(progress.at(-1)).toBe('success');
    expect((await llm.models())[0]?.models.map((m) => m.name)).toContain('newmodel:latest');
    const vectors = await llm.embed('tinyllama', ['a', 'b']);
    expect(vectors).toHaveLength(2);
    const [probe] = llm.probeSource.probes();
    expect(probe).toMatchObject({ name: 'llm:ollama', required: false });
    const detail = await probe!.check(AbortSignal.timeout(2000));
    expect(detail).toMatchObject({ version: '0.6.8-double', breaker: { state: 'closed' } });
  });

  it('fails a pull whose progress stream carries an error line', async () => {
    const err = await (async () => {
      for await (const _ of llm.pull('missing-model')) void _;
    })().catch((e: unknown) => e);
    expect((err as LlmError).kind).toBe('stream');
  });
});

describe('circuit breaker per backend', () => {
  it('opens after repeated connection failures, fails fast, half-opens and closes on recovery', async () => {
    const probe = await startOllamaDouble();
    const port = probe.port;
    await probe.close(); // nothing listens on this port now
    const llm2 = service(`http://127.0.0.1:${port}`, {
      retries: 0,
      breakerFailureThreshold: 3,
      breakerOpenMs: 150,
    });
    try {
      for (let i = 0; i < 3; i++) {
        const err = (await llm2
          .chat({ model: 'tinyllama', messages: user('x') })
          .catch((e: unknown) => e)) as LlmError;
        expect(err.kind).toBe('network');
      }
      expect(llm2.breakerState('ollama')).toBe('open');
      const fast = (await llm2
        .chat({ model: 'tinyllama', messages: user('x') })
        .catch((e: unknown) => e)) as LlmError;
      expect(fast.kind).toBe('circuit_open');
      const metrics = await registry.getSingleMetricAsString('sutazai_llm_breaker_state');
      expect(metrics).toContain('sutazai_llm_breaker_state{backend="ollama"} 2');
      const [p] = llm2.probeSource.probes();
      await expect(p!.check(AbortSignal.timeout(1000))).rejects.toThrow(/breaker open/);

      await sleep(200); // past breakerOpenMs: the next call is the half-open trial
      const revived = await startOllamaDouble({ port });
      try {
        const ok = await llm2.chat({ model: 'tinyllama', messages: user('back') });
        expect(ok.message.content).toBe('echo: back');
        expect(llm2.breakerState('ollama')).toBe('closed');
      } finally {
        await revived.close();
      }
    } finally {
      await llm2.close();
    }
  });
});

describe('own timers instead of a header timeout', () => {
  it('fails with a first-token timeout when the model does not start answering, and an idle timeout when it stalls', async () => {
    const slow = service(double.url, { firstTokenTimeoutMs: 100, idleTimeoutMs: 100, retries: 0 });
    try {
      double.script([{ content: 'late', latencyMs: 1000 }]);
      const first = (await slow
        .chat({ model: 'tinyllama', messages: user('x') })
        .catch((e: unknown) => e)) as LlmError;
      expect(first).toMatchObject({ kind: 'timeout', phase: 'first-token' });
      double.script([{ content: 'a b c', chunkDelayMs: 1000 }]);
      const idle = (await slow
        .chat({ model: 'tinyllama', messages: user('x') })
        .catch((e: unknown) => e)) as LlmError;
      expect(idle).toMatchObject({ kind: 'timeout', phase: 'idle' });
      expect(slow.slots('tinyllama').inFlight).toBe(0);
    } finally {
      await slow.close();
    }
  });
});
