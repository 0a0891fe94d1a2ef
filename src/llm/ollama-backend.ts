import { randomUUID } from 'node:crypto';
import { ndjson } from './decoders.js';
import { LlmError } from './errors.js';
import { getJson, openOk, type HttpCall } from './http.js';
import type {
  CallOptions,
  ChatMessage,
  ChatRequest,
  ChatStats,
  LlmBackend,
  LoadedModel,
  ModelInfo,
  PullProgress,
  StreamEvent,
  TimeoutSettings,
  ToolCall,
} from './types.js';

/**
 * Ollama's documented API (docs/api.md): /api/chat is always requested with stream:true and read
 * as NDJSON; the last line has done:true and the stats (durations in nanoseconds). An
 * `{"error": "…"}` line mid-stream fails the call.
 */
interface OllamaChunk {
  error?: string;
  message?: { role?: string; content?: string; tool_calls?: OllamaToolCall[] };
  done?: boolean;
  done_reason?: string;
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
}

interface OllamaToolCall {
  id?: string;
  function: { name: string; arguments: Record<string, unknown> | string; index?: number };
}

const NS_PER_MS = 1e6;

export function statsFromOllama(chunk: OllamaChunk): ChatStats {
  return {
    usage: { prompt_tokens: chunk.prompt_eval_count ?? 0, completion_tokens: chunk.eval_count ?? 0 },
    done_reason: chunk.done_reason ?? 'stop',
    total_ms: (chunk.total_duration ?? 0) / NS_PER_MS,
    load_ms: (chunk.load_duration ?? 0) / NS_PER_MS,
    prompt_eval_ms: (chunk.prompt_eval_duration ?? 0) / NS_PER_MS,
    eval_ms: (chunk.eval_duration ?? 0) / NS_PER_MS,
  };
}

function toOllamaMessage(m: ChatMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { role: m.role, content: m.content };
  if (m.tool_calls?.length)
    out.tool_calls = m.tool_calls.map((c) => ({ function: { name: c.name, arguments: c.arguments } }));
  if (m.role === 'tool' && m.tool_name) out.tool_name = m.tool_name;
  return out;
}

function parseArgs(raw: Record<string, unknown> | string): Record<string, unknown> {
  if (typeof raw !== 'string') return raw ?? {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return { _raw: raw };
  }
}

export function fromOllamaToolCalls(calls: OllamaToolCall[]): ToolCall[] {
  return calls.map((c) => ({
    id: c.id ?? `call_${randomUUID().slice(0, 8)}`,
    name: c.function.name,
    arguments: parseArgs(c.function.arguments),
  }));
}

export class OllamaBackend implements LlmBackend {
  readonly kind = 'ollama' as const;

  constructor(
    readonly name: string,
    private readonly baseUrl: string,
    private readonly timeouts: TimeoutSettings,
  ) {}

  private call(
    path: string,
    method: HttpCall['method'],
    options: CallOptions,
    extra: Partial<HttpCall> = {},
  ): HttpCall {
    return {
      backend: this.name,
      url: new URL(path, this.baseUrl).toString(),
      method,
      timeouts: this.timeouts,
      ...(options.signal ? { signal: options.signal } : {}),
      ...extra,
    };
  }

  async *chatStream(request: ChatRequest, options: CallOptions = {}): AsyncGenerator<StreamEvent> {
    const body: Record<string, unknown> = {
      model: request.model,
      messages: request.messages.map(toOllamaMessage),
      stream: true,
    };
    if (request.tools?.length)
      body.tools = request.tools.map((t) => ({
        type: 'function',
        function: { name: t.name, description: t.description, parameters: t.parameters },
      }));
    if (request.options) body.options = request.options;
    const stream = await openOk(this.call('/api/chat', 'POST', options, { body, model: request.model }));
    for await (const raw of ndjson(stream)) {
      const chunk = raw as OllamaChunk;
      if (chunk.error !== undefined)
        throw new LlmError('stream', chunk.error, { backend: this.name, model: request.model });
      if (chunk.message?.tool_calls?.length)
        yield { type: 'tool_calls', calls: fromOllamaToolCalls(chunk.message.tool_calls) };
      if (chunk.message?.content) yield { type: 'delta', content: chunk.message.content };
      if (chunk.done) {
        yield { type: 'done', stats: statsFromOllama(chunk) };
        return;
      }
    }
    throw new LlmError('stream', 'stream ended without a final done line', {
      backend: this.name,
      model: request.model,
    });
  }

  async listModels(options: CallOptions = {}): Promise<ModelInfo[]> {
    const res = await getJson<{ models?: ModelInfo[] }>(this.call('/api/tags', 'GET', options));
    return res.models ?? [];
  }

  async listLoaded(options: CallOptions = {}): Promise<LoadedModel[]> {
    const res = await getJson<{ models?: LoadedModel[] }>(this.call('/api/ps', 'GET', options));
    return res.models ?? [];
  }

  async *pull(model: string, options: CallOptions = {}): AsyncGenerator<PullProgress> {
    const stream = await openOk(
      this.call('/api/pull', 'POST', options, { body: { model, stream: true }, model }),
    );
    for await (const raw of ndjson(stream)) {
      const line = raw as PullProgress & { error?: string };
      if (line.error !== undefined) throw new LlmError('stream', line.error, { backend: this.name, model });
      yield line;
    }
  }

  async embed(model: string, input: string[], options: CallOptions = {}): Promise<number[][]> {
    const res = await getJson<{ embeddings?: number[][] }>(
      this.call('/api/embed', 'POST', options, { body: { model, input }, model }),
    );
    return res.embeddings ?? [];
  }

  async version(options: CallOptions = {}): Promise<string> {
    const res = await getJson<{ version?: string }>(this.call('/api/version', 'GET', options));
    return res.version ?? 'unknown';
  }
}
