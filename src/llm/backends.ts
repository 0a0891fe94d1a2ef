import type { LlmBackendConfig, LlmConfig } from '../config/schema.js';
import { CircuitBreaker } from './breaker.js';
import { OllamaBackend } from './ollama-backend.js';
import { OpenAiBackend } from './openai-backend.js';
import type { LlmBackend, TimeoutSettings } from './types.js';
import { llmBreakerState } from '../metrics/index.js';

/** A configured backend with its own breaker and per-model limit. */
export interface BackendEntry {
  name: string;
  url: string;
  config: LlmBackendConfig;
  client: LlmBackend;
  breaker: CircuitBreaker;
  limit: number;
}

const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

/** `config.llm.ollamaHost` is the backend named `ollama` unless `backends` defines that name. */
export function backendConfigs(llm: LlmConfig): Record<string, LlmBackendConfig> {
  const out: Record<string, LlmBackendConfig> = {};
  if (!llm.backends.ollama) out.ollama = { url: llm.ollamaHost, kind: 'ollama', models: [] };
  return { ...out, ...llm.backends };
}

export function buildBackends(llm: LlmConfig, env: NodeJS.ProcessEnv = process.env): BackendEntry[] {
  const timeouts: TimeoutSettings = {
    connectTimeoutMs: llm.connectTimeoutMs,
    firstTokenTimeoutMs: llm.firstTokenTimeoutMs,
    idleTimeoutMs: llm.idleTimeoutMs,
  };
  return Object.entries(backendConfigs(llm)).map(([name, config]) => {
    const apiKey = config.apiKeyEnv ? env[config.apiKeyEnv] : undefined;
    const client =
      config.kind === 'openai'
        ? new OpenAiBackend(name, config.url, timeouts, apiKey)
        : new OllamaBackend(name, config.url, timeouts);
    const breaker = new CircuitBreaker({
      failureThreshold: llm.breakerFailureThreshold,
      openMs: llm.breakerOpenMs,
      onChange: (state) => llmBreakerState.set({ backend: name }, BREAKER_VALUE[state]),
    });
    llmBreakerState.set({ backend: name }, 0);
    return { name, url: config.url, config, client, breaker, limit: config.maxParallel ?? llm.modelParallel };
  });
}

function sameModel(a: string, b: string): boolean {
  const norm = (m: string) => (m.includes(':') ? m : `${m}:latest`);
  return norm(a) === norm(b);
}

/** The backend that lists the model, else the first catch-all backend, else the first one. */
export function pickBackend(entries: readonly BackendEntry[], model: string): BackendEntry {
  const named = entries.find((e) => e.config.models.some((m) => sameModel(m, model)));
  if (named) return named;
  const catchAll = entries.find((e) => e.config.models.length === 0);
  return catchAll ?? entries[0]!;
}
