import { setTimeout as sleep } from 'node:timers/promises';
import { llmDuration, llmRequests, llmTokens, type BoundedLabel } from '../metrics/index.js';
import type { BackendEntry } from './backends.js';
import { LlmError } from './errors.js';
import type { ModelLimiter } from './limiter.js';
import type { ChatRequest, StreamEvent } from './types.js';

export interface StreamCallDeps {
  limiter: ModelLimiter;
  retries: number;
  retryBaseMs: number;
  /** Metric label of a model name: configured or proven models, `other` for the rest. */
  modelLabel: BoundedLabel;
}

/** Anything a backend throws, as an LlmError (a JSON parse error mid-stream is a broken stream). */
export function asLlmError(err: unknown, backend: string, model: string, signal?: AbortSignal): LlmError {
  if (err instanceof LlmError) return err;
  if (signal?.aborted) return new LlmError('aborted', 'call aborted', { backend, model, cause: err });
  return new LlmError('stream', (err as Error)?.message ?? String(err), { backend, model, cause: err });
}

/**
 * One model turn through the platform's guards: a per-model slot (held until the stream ends or
 * the consumer stops), the backend's breaker, and retries with exponential backoff and jitter for
 * retryable failures that happen before the first event (503 busy, 499, refused connection).
 */
export async function* guardedStream(
  deps: StreamCallDeps,
  entry: BackendEntry,
  request: ChatRequest,
  signal?: AbortSignal,
): AsyncGenerator<StreamEvent> {
  const info = { backend: entry.name, model: request.model };
  const started = performance.now();
  let outcome = 'error';
  let release: (() => void) | undefined;
  let trial = false;
  try {
    release = await deps.limiter.acquire(`${entry.name}/${request.model}`, entry.limit, info, signal);
    for (let attempt = 0; ; attempt++) {
      if (!entry.breaker.allow()) {
        throw new LlmError('circuit_open', 'circuit open', {
          ...info,
          retryAfter: entry.breaker.retryAfterSeconds(),
        });
      }
      trial = true;
      let yielded = false;
      try {
        for await (const event of entry.client.chatStream(request, signal ? { signal } : {})) {
          yielded = true;
          if (event.type === 'done') {
            // Settle before yielding: a consumer may stop iterating as soon as it has the stats.
            // Ollama answers only for models it has (404 otherwise): one that answered is real and
            // may get its own series (capped). OpenAI-compatible servers may accept any name.
            if (entry.config.kind === 'ollama') deps.modelLabel.learn(request.model);
            countTokens(deps.modelLabel(request.model), event.stats.usage);
            entry.breaker.success();
            trial = false;
            outcome = 'ok';
          }
          yield event;
        }
        return;
      } catch (raw) {
        const err = asLlmError(raw, entry.name, request.model, signal);
        if (err.backendFault) entry.breaker.failure(err.message);
        else entry.breaker.neutral();
        trial = false;
        const again = !yielded && err.retryable && attempt < deps.retries && !signal?.aborted;
        if (!again) throw err;
        await backoff(deps.retryBaseMs, attempt, signal, info);
      }
    }
  } catch (err) {
    const e = err as LlmError;
    outcome =
      e.kind === 'aborted'
        ? 'cancelled'
        : e.kind === 'limiter_full'
          ? 'busy'
          : e.kind === 'circuit_open'
            ? 'circuit_open'
            : 'error';
    throw err;
  } finally {
    if (trial) entry.breaker.neutral(); // consumer stopped mid-stream: says nothing about health
    release?.();
    // entry.name is a configured backend; the model comes from the caller.
    const labels = { backend: entry.name, model: deps.modelLabel(request.model) };
    llmRequests.inc({ ...labels, outcome });
    llmDuration.observe(labels, (performance.now() - started) / 1000);
  }
}

function countTokens(model: string, usage: { prompt_tokens: number; completion_tokens: number }): void {
  llmTokens.inc({ model, direction: 'prompt' }, usage.prompt_tokens);
  llmTokens.inc({ model, direction: 'completion' }, usage.completion_tokens);
}

async function backoff(
  baseMs: number,
  attempt: number,
  signal: AbortSignal | undefined,
  info: { backend: string; model: string },
): Promise<void> {
  const ms = baseMs * 2 ** attempt * (0.5 + Math.random() / 2);
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
  } catch {
    throw new LlmError('aborted', 'call aborted during backoff', info);
  }
}
