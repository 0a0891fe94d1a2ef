import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../../src/llm/breaker.js';
import { LlmError } from '../../../src/llm/errors.js';
import { ModelLimiter } from '../../../src/llm/limiter.js';
import { MemoryLruCache } from '../../../src/llm/cache.js';

const info = { backend: 'b', model: 'm' };

describe('ModelLimiter', () => {
  it('admits at most the limit, queues FIFO, and hands slots over on release', async () => {
    const limiter = new ModelLimiter({ maxQueue: 10, queueTimeoutMs: 60_000 });
    const r1 = await limiter.acquire('k', 2, info);
    const r2 = await limiter.acquire('k', 2, info);
    const order: number[] = [];
    const p3 = limiter.acquire('k', 2, info).then((r) => (order.push(3), r));
    const p4 = limiter.acquire('k', 2, info).then((r) => (order.push(4), r));
    expect(limiter.snapshot('k')).toEqual({ inFlight: 2, waiting: 2 });
    r1();
    r1(); // releasing twice must not free a second slot
    const r3 = await p3;
    expect(limiter.snapshot('k')).toEqual({ inFlight: 2, waiting: 1 });
    r2();
    const r4 = await p4;
    expect(order).toEqual([3, 4]);
    r3();
    r4();
    expect(limiter.snapshot('k')).toEqual({ inFlight: 0, waiting: 0 });
  });

  it('refuses past the wait-queue cap with a limiter_full error carrying Retry-After', async () => {
    const limiter = new ModelLimiter({ maxQueue: 1, queueTimeoutMs: 60_000 });
    const r1 = await limiter.acquire('k', 1, info);
    const waiting = limiter.acquire('k', 1, info);
    const err = await limiter.acquire('k', 1, info).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect((err as LlmError).kind).toBe('limiter_full');
    expect((err as LlmError).retryAfter).toBeGreaterThan(0);
    r1();
    (await waiting)();
  });

  it('removes an aborted waiter from the queue', async () => {
    const limiter = new ModelLimiter({ maxQueue: 5, queueTimeoutMs: 60_000 });
    const r1 = await limiter.acquire('k', 1, info);
    const ac = new AbortController();
    const waiting = limiter.acquire('k', 1, info, ac.signal).catch((e: LlmError) => e.kind);
    ac.abort();
    expect(await waiting).toBe('aborted');
    expect(limiter.snapshot('k')).toEqual({ inFlight: 1, waiting: 0 });
    r1();
    expect(limiter.snapshot('k').inFlight).toBe(0);
  });
});

describe('CircuitBreaker', () => {
  it('opens after the threshold, half-opens after openMs with one trial, and closes on success', () => {
    let now = 1000;
    const states: string[] = [];
    const b = new CircuitBreaker({
      failureThreshold: 3,
      openMs: 5000,
      now: () => now,
      onChange: (s) => states.push(s),
    });
    b.failure('x');
    b.failure('x');
    expect(b.state).toBe('closed');
    b.failure('x');
    expect(b.state).toBe('open');
    expect(b.allow()).toBe(false);
    expect(b.retryAfterSeconds()).toBe(5);
    now += 5000;
    expect(b.allow()).toBe(true);
    expect(b.state).toBe('half-open');
    expect(b.allow()).toBe(false); // only one trial at a time
    b.failure('still down');
    expect(b.state).toBe('open');
    now += 5000;
    expect(b.allow()).toBe(true);
    b.success();
    expect(b.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });
});

describe('MemoryLruCache', () => {
  it('evicts the least recently used entry past the cap and expires entries after the TTL', async () => {
    let now = 0;
    const cache = new MemoryLruCache(2, 1000, () => now);
    const v = (content: string) => ({
      model: 'm',
      message: { role: 'assistant' as const, content },
      stats: {
        usage: { prompt_tokens: 1, completion_tokens: 1 },
        done_reason: 'stop',
        total_ms: 0,
        load_ms: 0,
        prompt_eval_ms: 0,
        eval_ms: 0,
      },
    });
    await cache.set('a', v('a'));
    await cache.set('b', v('b'));
    expect((await cache.get('a'))?.message.content).toBe('a'); // a is now most recent
    await cache.set('c', v('c'));
    expect(await cache.get('b')).toBeUndefined();
    expect(cache.size).toBe(2);
    now = 2000;
    expect(await cache.get('a')).toBeUndefined();
  });
});

describe('llm config', () => {
  it('accepts OLLAMA_HOST the way Ollama writes it', async () => {
    const { LlmConfigSchema } = await import('../../../src/config/schema.js');
    expect(LlmConfigSchema.parse({ ollamaHost: '0.0.0.0:11434' }).ollamaHost).toBe('http://127.0.0.1:11434');
    expect(LlmConfigSchema.parse({ ollamaHost: 'ollama' }).ollamaHost).toBe('http://ollama:11434');
    expect(LlmConfigSchema.parse({ ollamaHost: '[::1]:8080' }).ollamaHost).toBe('http://[::1]:8080');
    expect(LlmConfigSchema.parse({ ollamaHost: 'https://gpu.lan:443' }).ollamaHost).toBe(
      'https://gpu.lan:443',
    );
    expect(LlmConfigSchema.parse({}).modelParallel).toBe(2);
  });
});
