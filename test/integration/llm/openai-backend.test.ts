import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlmError, LlmService } from '../../../src/llm/index.js';
import { startOpenAiDouble, type OpenAiDouble } from '../../doubles/openai-double.js';
import { service } from './helpers.js';

let double: OpenAiDouble;
let llm: LlmService;

beforeAll(async () => {
  double = await startOpenAiDouble(['local-model']);
  // The default Ollama backend points at a closed port: the model must route to the named backend.
  llm = service('http://127.0.0.1:9', {
    backends: { lmstudio: { url: `${double.url}/`, kind: 'openai', models: ['local-model'] } },
  });
});
afterAll(async () => {
  await llm.close();
  await double.close();
});

describe('OpenAI-compatible provider', () => {
  it('streams SSE content and usage from /v1/chat/completions', async () => {
    double.script([{ content: 'Hello from a llama.cpp-like server' }]);
    const result = await llm.chat({ model: 'local-model', messages: [{ role: 'user', content: 'hi' }] });
    expect(result.message.content).toBe('Hello from a llama.cpp-like server');
    expect(result.stats.usage).toEqual({ prompt_tokens: 7, completion_tokens: 5 });
    expect(double.requests[0]).toMatchObject({ model: 'local-model', stream: true });
  });

  it('assembles tool-call arguments sent in fragments and sends tool results back with their ids', async () => {
    double.script([
      {
        tool_calls: [
          { id: 'call_a', name: 'http.fetch', arguments: '{"url":"http://example.test/x","method":"GET"}' },
        ],
      },
    ]);
    const tools = [{ name: 'http.fetch', description: 'fetch', parameters: { type: 'object' } }];
    const first = await llm.chat({
      model: 'local-model',
      messages: [{ role: 'user', content: 'go' }],
      tools,
    });
    expect(first.message.tool_calls).toEqual([
      { id: 'call_a', name: 'http.fetch', arguments: { url: 'http://example.test/x', method: 'GET' } },
    ]);
    await llm.chat({
      model: 'local-model',
      messages: [
        { role: 'user', content: 'go' },
        first.message,
        { role: 'tool', content: 'body', tool_call_id: 'call_a', tool_name: 'http.fetch' },
      ],
    });
    const sent = double.requests.at(-1)!.messages as Array<Record<string, unknown>>;
    expect(sent[1]).toMatchObject({ role: 'assistant', tool_calls: [{ id: 'call_a', type: 'function' }] });
    expect(sent[2]).toEqual({ role: 'tool', content: 'body', tool_call_id: 'call_a' });
  });

  it('maps an error answer to a typed error and lists models', async () => {
    double.script([{ status: 404, error: 'model not loaded' }]);
    const err = (await llm
      .chat({ model: 'local-model', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)) as LlmError;
    expect(err.kind).toBe('model_not_found');
    const entries = await llm.models();
    expect(entries.find((e) => e.backend === 'lmstudio')?.models).toEqual([{ name: 'local-model' }]);
    expect(entries.find((e) => e.backend === 'ollama')?.error).toBeTruthy();
  });
});
