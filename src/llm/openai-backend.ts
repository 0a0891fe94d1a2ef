import { sse } from './decoders.js';
import { LlmError } from './errors.js';
import { getJson, openOk, type HttpCall } from './http.js';
import type {
  CallOptions,
  ChatMessage,
  ChatRequest,
  LlmBackend,
  LoadedModel,
  ModelInfo,
  PullProgress,
  StreamEvent,
  TimeoutSettings,
  ToolCall,
} from './types.js';

/**
 * OpenAI-compatible servers (llama.cpp server, vLLM, LM Studio): /v1/chat/completions with
 * stream:true read as SSE until `data: [DONE]`; tool-call arguments arrive as string fragments
 * keyed by index and are assembled before being parsed.
 */
interface Delta {
  content?: string | null;
  tool_calls?: Array<{ index?: number; id?: string; function?: { name?: string; arguments?: string } }>;
}

interface Chunk {
  error?: { message?: string } | string;
  choices?: Array<{ delta?: Delta; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

function toOpenAiMessage(m: ChatMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { role: m.role, content: m.content };
  if (m.tool_calls?.length) {
    out.tool_calls = m.tool_calls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: JSON.stringify(c.arguments) },
    }));
  }
  if (m.role === 'tool') out.tool_call_id = m.tool_call_id ?? m.tool_name ?? 'call';
  return out;
}

class ToolCallAssembler {
  private readonly parts = new Map<number, { id: string; name: string; args: string }>();

  add(delta: NonNullable<Delta['tool_calls']>): void {
    for (const [i, d] of delta.entries()) {
      const index = d.index ?? i;
      const part = this.parts.get(index) ?? { id: '', name: '', args: '' };
      if (d.id) part.id = d.id;
      if (d.function?.name) part.name += d.function.name;
      if (d.function?.arguments) part.args += d.function.arguments;
      this.parts.set(index, part);
    }
  }

  finish(): ToolCall[] {
    return [...this.parts.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, p]) => ({ id: p.id || `call_${index}`, name: p.name, arguments: parseArgs(p.args) }));
  }
}

function parseArgs(text: string): Record<string, unknown> {
  if (!text.trim()) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return { _raw: text };
  }
}

export class OpenAiBackend implements LlmBackend {
  readonly kind = 'openai' as const;

  constructor(
    readonly name: string,
    private readonly baseUrl: string,
    private readonly timeouts: TimeoutSettings,
    private readonly apiKey?: string,
  ) {}

  private call(
    path: string,
    method: HttpCall['method'],
    options: CallOptions,
    extra: Partial<HttpCall> = {},
  ): HttpCall {
    const base = this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`;
    return {
      backend: this.name,
      url: new URL(path.replace(/^\//, ''), base).toString(),
      method,
      timeouts: this.timeouts,
      ...(this.apiKey ? { headers: { authorization: `Bearer ${this.apiKey}` } } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...extra,
    };
  }

  async *chatStream(request: ChatRequest, options: CallOptions = {}): AsyncGenerator<StreamEvent> {
    const started = performance.now();
    const body: Record<string, unknown> = {
      model: request.model,
      messages: request.messages.map(toOpenAiMessage),
      stream: true,
      stream_options: { include_usage: true },
      ...(request.options ?? {}),
    };
    if (request.tools?.length)
      body.tools = request.tools.map((t) => ({
        type: 'function',
        function: { name: t.name, description: t.description, parameters: t.parameters },
      }));
    const stream = await openOk(
      this.call('/v1/chat/completions', 'POST', options, { body, model: request.model }),
    );
    const calls = new ToolCallAssembler();
    let finish = 'stop';
    let usage = { prompt_tokens: 0, completion_tokens: 0 };
    let firstTokenMs = 0;
    for await (const event of sse(stream)) {
      if (event.data === '[DONE]') {
        const assembled = calls.finish();
        if (assembled.length) yield { type: 'tool_calls', calls: assembled };
        const total = performance.now() - started;
        yield {
          type: 'done',
          stats: {
            usage,
            done_reason: finish,
            total_ms: total,
            load_ms: 0,
            prompt_eval_ms: firstTokenMs,
            eval_ms: total - firstTokenMs,
          },
        };
        return;
      }
      const chunk = JSON.parse(event.data) as Chunk;
      if (chunk.error) {
        const message = typeof chunk.error === 'string' ? chunk.error : (chunk.error.message ?? 'error');
        throw new LlmError('stream', message, { backend: this.name, model: request.model });
      }
      if (chunk.usage)
        usage = {
          prompt_tokens: chunk.usage.prompt_tokens ?? 0,
          completion_tokens: chunk.usage.completion_tokens ?? 0,
        };
      const choice = chunk.choices?.[0];
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (choice?.delta?.tool_calls) calls.add(choice.delta.tool_calls);
      if (choice?.delta?.content) {
        if (!firstTokenMs) firstTokenMs = performance.now() - started;
        yield { type: 'delta', content: choice.delta.content };
      }
    }
    throw new LlmError('stream', 'stream ended without [DONE]', { backend: this.name, model: request.model });
  }

  async listModels(options: CallOptions = {}): Promise<ModelInfo[]> {
    const res = await getJson<{ data?: Array<{ id: string }> }>(this.call('/v1/models', 'GET', options));
    return (res.data ?? []).map((m) => ({ name: m.id }));
  }

  /** OpenAI-compatible servers serve what they have loaded: every listed model counts as loaded. */
  async listLoaded(options: CallOptions = {}): Promise<LoadedModel[]> {
    return (await this.listModels(options)).map((m) => ({ name: m.name }));
  }

  // eslint-disable-next-line require-yield
  async *pull(model: string): AsyncGenerator<PullProgress> {
    throw new LlmError('bad_request', 'OpenAI-compatible backends cannot pull models', {
      backend: this.name,
      model,
    });
  }

  async embed(model: string, input: string[], options: CallOptions = {}): Promise<number[][]> {
    const res = await getJson<{ data?: Array<{ embedding: number[] }> }>(
      this.call('/v1/embeddings', 'POST', options, { body: { model, input }, model }),
    );
    return (res.data ?? []).map((d) => d.embedding);
  }

  async version(options: CallOptions = {}): Promise<string> {
    await this.listModels(options);
    return 'openai-compatible';
  }
}
