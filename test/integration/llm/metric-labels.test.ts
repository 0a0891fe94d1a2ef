import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlmService } from '../../../src/llm/index.js';
import { registry } from '../../../src/metrics/index.js';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollama-double.js';
import { service } from './helpers.js';

let double: OllamaDouble;
let llm: LlmService;

beforeAll(async () => {
  double = await startOllamaDouble({ models: ['tinyllama:latest', 'qwen2.5:latest'] });
  llm = service(double.url, { breakerFailureThreshold: 1_000_000 });
});
afterAll(async () => {
  await llm.close();
  await double.close();
});

/** The llm series in the exposition: one line per label set. */
async function llmSeries(): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((l) => l.startsWith('sutazai_llm'));
}

const chat = (model: string) =>
  llm.chat({ model, messages: [{ role: 'user', content: 'hi' }] }).then(
    () => 'ok',
    () => 'error',
  );

describe('model labels on the llm metrics', () => {
  it('1,000 chats with random model names add at most a handful of series, and no control bytes', async () => {
    // Real models first, so their own series (and the `other` ones) exist either way.
    expect(await chat('tinyllama')).toBe('ok');
    expect(await chat('qwen2.5')).toBe('ok');
    expect(await chat('no-such-model')).toBe('error');
    const before = await llmSeries();
    const names = Array.from({ length: 1000 }, (_, i) =>
      i % 10 === 0 ? `evil\u0000${i}\n"}` : `m-${randomBytes(6).toString('hex')}`,
    );
    for (let i = 0; i < names.length; i += 20) await Promise.all(names.slice(i, i + 20).map(chat));
    const after = await llmSeries();
    expect(after.length - before.length).toBeLessThanOrEqual(5);
    const text = after.join('\n');
    expect(text.includes('\u0000')).toBe(false);
    expect(text).not.toMatch(/m-[0-9a-f]{12}/);
    expect(text).toMatch(/model="other"/);
    // A model the backend really served keeps its own series.
    expect(text).toMatch(/model="qwen2\.5"/);
  });
});
