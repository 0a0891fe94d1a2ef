import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { LlmConfig } from '../config/schema.js';
import type { Probe, ProbeSource } from '../health/types.js';
import { boundedLabel, llmCache, type BoundedLabel } from '../metrics/index.js';
import { backendConfigs, buildBackends, pickBackend, type BackendEntry } from './backends.js';
import { MemoryLruCache, RedisResponseCache, cacheKey, type ResponseCache } from './cache.js';
import { LlmError, toSutazaiError } from './errors.js';
import type { BreakerState } from './breaker.js';
import { ModelLimiter } from './limiter.js';
import { slotGauges } from './slot-gauges.js';
import { guardedStream } from './stream-call.js';
import type {
  ChatRequest,
  ChatResult,
  LoadedModel,
  ModelInfo,
  PullProgress,
  StreamEvent,
  ToolCall,
} from './types.js';

export interface LlmServiceDeps {
  config: { llm: LlmConfig };
  logger: Logger;
  /** When given, the chat cache is shared through Redis; the caller owns the connection. */
  redis?: Redis;
  env?: NodeJS.ProcessEnv;
}

export interface ChatOptions {
  signal?: AbortSignal;
  useCache?: boolean;
}

export interface ChatOutcome extends ChatResult {
  cached: boolean;
}

export type BatchItem =
  | { index: number; ok: true; result: ChatOutcome }
  | { index: number; ok: false; error: { code: string; message: string } };

export interface BackendModels {
  backend: string;
  kind: 'ollama' | 'openai';
  breaker: string;
  models: ModelInfo[];
  loaded: LoadedModel[];
  error?: string;
}

export interface BackendOverview {
  name: string;
  url: string;
  breaker: BreakerState;
  models: Array<{ name: string; slotsInUse: number; slotsMax: number }>;
}

/** A URL without user info, query or fragment. */
function publicUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '';
  }
}

/** Models that a backend answered for, past the configured ones, that get their own series. */
const LEARNED_MODELS_CAP = 32;

/**
 * The model label: the default model and every backend's configured models, plus up to
 * LEARNED_MODELS_CAP models a backend actually answered for (pulled but not configured); the
 * rest, such as made-up names in requests, count as `other`.
 */
function modelLabelFor(llm: LlmConfig): BoundedLabel {
  const configured = Object.values(backendConfigs(llm)).flatMap((b) => b.models);
  return boundedLabel([llm.defaultModel, ...configured], { learnCap: LEARNED_MODELS_CAP });
}

/** Chat, streaming, batch, model listing and pulling over the configured backends. */
export class LlmService {
  readonly defaultModel: string;
  private readonly backends: BackendEntry[];
  private readonly limiter: ModelLimiter;
  private readonly cache: ResponseCache;
  private readonly log: Logger;
  private readonly modelLabel: BoundedLabel;
  private closed = false;

  constructor(private readonly deps: LlmServiceDeps) {
    const llm = deps.config.llm;
    this.defaultModel = llm.defaultModel;
    this.log = deps.logger.child({ area: 'llm' });
    this.backends = buildBackends(llm, deps.env);
    this.modelLabel = modelLabelFor(llm);
    this.limiter = new ModelLimiter({
      maxQueue: llm.maxQueuePerModel,
      queueTimeoutMs: llm.queueTimeoutMs,
      onChange: slotGauges(this.modelLabel),
    });
    this.cache = deps.redis
      ? new RedisResponseCache(deps.redis, llm.cacheTtlSeconds)
      : new MemoryLruCache(llm.cacheMaxEntries, llm.cacheTtlSeconds * 1000);
  }

  /** Slot usage of one model, e.g. for tests and the dashboard. */
  slots(model: string): { inFlight: number; waiting: number } {
    const entry = pickBackend(this.backends, model);
    return this.limiter.snapshot(`${entry.name}/${model}`);
  }

  /**
   * Every backend with its breaker and per-model slots (the dashboard's overview): the models
   * configured for it, the default model when it is routed there, and any model it has served.
   * The URL is shown without credentials.
   */
  overview(): BackendOverview[] {
    const used = this.limiter.keys();
    return this.backends.map((b) => {
      const names = new Set(b.config.models);
      if (pickBackend(this.backends, this.defaultModel) === b) names.add(this.defaultModel);
      for (const key of used) if (key.startsWith(`${b.name}/`)) names.add(key.slice(b.name.length + 1));
      return {
        name: b.name,
        url: publicUrl(b.url),
        breaker: b.breaker.state,
        models: [...names].sort().map((name) => ({
          name,
          slotsInUse: this.limiter.snapshot(`${b.name}/${name}`).inFlight,
          slotsMax: b.limit,
        })),
      };
    });
  }

  breakerState(backend: string): string | undefined {
    return this.backends.find((b) => b.name === backend)?.breaker.state;
  }

  /** Streams one turn: `delta` events, then `tool_calls` if any, then `done` with the stats. */
  stream(request: ChatRequest, options: { signal?: AbortSignal } = {}): AsyncGenerator<StreamEvent> {
    if (this.closed)
      throw new LlmError('aborted', 'llm service closed', { backend: '-', model: request.model });
    const entry = pickBackend(this.backends, request.model);
    return guardedStream(
      {
        limiter: this.limiter,
        retries: this.deps.config.llm.retries,
        retryBaseMs: this.deps.config.llm.retryBaseMs,
        modelLabel: this.modelLabel,
      },
      entry,
      request,
      options.signal,
    );
  }

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatOutcome> {
    const key = options.useCache ? cacheKey(request) : undefined;
    if (key) {
      const hit = await this.cacheGet(key);
      llmCache.inc({ result: hit ? 'hit' : 'miss' });
      if (hit) return { ...hit, cached: true };
    }
    const result = await collect(request.model, this.stream(request, options));
    if (key) await this.cacheSet(key, result);
    return { ...result, cached: false };
  }

  /** Each prompt gets a result or an error; at most `batchParallel` run at once. */
  async batch(requests: ChatRequest[], options: ChatOptions = {}): Promise<BatchItem[]> {
    const out: BatchItem[] = new Array(requests.length);
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const index = next++;
        try {
          out[index] = { index, ok: true, result: await this.chat(requests[index]!, options) };
        } catch (err) {
          const e = toSutazaiError(err);
          out[index] = { index, ok: false, error: { code: e.code, message: e.message } };
        }
      }
    };
    const width = Math.min(this.deps.config.llm.batchParallel, requests.length);
    await Promise.all(Array.from({ length: width }, worker));
    return out;
  }

  async models(signal?: AbortSignal): Promise<BackendModels[]> {
    return Promise.all(
      this.backends.map(async (b): Promise<BackendModels> => {
        const base = { backend: b.name, kind: b.client.kind, breaker: b.breaker.state };
        const opts = signal ? { signal } : {};
        try {
          const [models, loaded] = await Promise.all([b.client.listModels(opts), b.client.listLoaded(opts)]);
          return { ...base, models, loaded };
        } catch (err) {
          return { ...base, models: [], loaded: [], error: (err as Error).message };
        }
      }),
    );
  }

  pull(model: string, signal?: AbortSignal): AsyncGenerator<PullProgress> {
    return pickBackend(this.backends, model).client.pull(model, signal ? { signal } : {});
  }

  embed(model: string, input: string[], signal?: AbortSignal): Promise<number[][]> {
    return pickBackend(this.backends, model).client.embed(model, input, signal ? { signal } : {});
  }

  /** One health probe per backend (not required): /api/version plus the breaker state. */
  readonly probeSource: ProbeSource = {
    probes: (): Probe[] =>
      this.backends.map((b) => ({
        name: `llm:${b.name}`,
        required: false,
        check: async (signal: AbortSignal) => {
          try {
            const version = await b.client.version({ signal });
            return { kind: b.client.kind, version, breaker: b.breaker.detail() };
          } catch (err) {
            throw new Error(`${(err as Error).message} (breaker ${b.breaker.state})`, { cause: err });
          }
        },
      })),
  };

  private async cacheGet(key: string): Promise<ChatResult | undefined> {
    try {
      return await this.cache.get(key);
    } catch (err) {
      this.log.warn({ err }, 'llm:cache:get:failed');
      return undefined;
    }
  }

  private async cacheSet(key: string, value: ChatResult): Promise<void> {
    try {
      await this.cache.set(key, value);
    } catch (err) {
      this.log.warn({ err }, 'llm:cache:set:failed');
    }
  }

  /** Idempotent. In-flight streams are ended by their callers' signals. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.cache.close();
  }
}

/** Runs a stream to its end and assembles the assistant message. */
export async function collect(model: string, stream: AsyncGenerator<StreamEvent>): Promise<ChatResult> {
  let content = '';
  const calls: ToolCall[] = [];
  for await (const event of stream) {
    if (event.type === 'delta') content += event.content;
    else if (event.type === 'tool_calls') calls.push(...event.calls);
    else {
      const message = { role: 'assistant' as const, content, ...(calls.length ? { tool_calls: calls } : {}) };
      return { model, message, stats: event.stats };
    }
  }
  throw new LlmError('stream', 'stream ended without stats', { backend: '?', model });
}

export function createLlmService(deps: LlmServiceDeps): LlmService {
  return new LlmService(deps);
}
