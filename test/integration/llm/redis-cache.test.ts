import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLlmService, type LlmService } from '../../../src/llm/index.js';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollama-double.js';
import { describeWithService } from '../../helpers/services.js';
import { llmConfig, silent } from './helpers.js';

describeWithService('TEST_REDIS_URL', 'chat response cache in Redis', (address) => {
  let double: OllamaDouble;
  let redis: Redis;
  let a: LlmService;
  let b: LlmService;

  beforeAll(async () => {
    double = await startOllamaDouble();
    redis = new Redis(address, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    const config = { llm: llmConfig(double.url, { cacheTtlSeconds: 60 }) };
    a = createLlmService({ config, logger: silent, redis });
    b = createLlmService({ config, logger: silent, redis });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.quit();
    await double?.close();
  });

  it('shares a cached answer between two service instances (two processes in production)', async () => {
    const request = {
      model: 'tinyllama',
      messages: [{ role: 'user' as const, content: `redis ${Date.now()}` }],
    };
    const first = await a.chat(request, { useCache: true });
    const second = await b.chat(request, { useCache: true });
    expect(first.cached).toBe(false);
    expect(second).toMatchObject({ cached: true, message: first.message });
    expect(double.counters.chatRequests).toBe(1);
    const keys = await redis.keys('sutazai:llm:cache:*');
    expect(keys.length).toBeGreaterThan(0);
    expect(await redis.ttl(keys[0]!)).toBeGreaterThan(0);
  });
});
