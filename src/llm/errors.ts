import { SutazaiError } from '../errors.js';

/**
 * Local, typed backend failures. `permanent` ones (unknown model, no tool support, bad request)
 * are never retried; `retryable` ones (server busy, 499, connection refused before any byte) are
 * retried with backoff before the call gives up. Mapped to catalogue codes by `toSutazaiError`.
 */
export type LlmErrorKind =
  | 'model_not_found'
  | 'tools_unsupported'
  | 'bad_request'
  | 'busy'
  | 'timeout'
  | 'network'
  | 'backend'
  | 'stream'
  | 'aborted'
  | 'circuit_open'
  | 'limiter_full';

const PERMANENT: ReadonlySet<LlmErrorKind> = new Set(['model_not_found', 'tools_unsupported', 'bad_request']);
const RETRYABLE: ReadonlySet<LlmErrorKind> = new Set(['busy', 'network']);

export class LlmError extends Error {
  readonly kind: LlmErrorKind;
  readonly backend: string;
  readonly model: string | undefined;
  readonly status: number | undefined;
  /** Seconds a caller should wait (busy, circuit open). */
  readonly retryAfter: number | undefined;
  readonly phase: string | undefined;

  constructor(
    kind: LlmErrorKind,
    message: string,
    info: {
      backend: string;
      model?: string;
      status?: number;
      retryAfter?: number;
      phase?: string;
      cause?: unknown;
    },
  ) {
    super(message, { cause: info.cause });
    this.name = 'LlmError';
    this.kind = kind;
    this.backend = info.backend;
    this.model = info.model;
    this.status = info.status;
    this.retryAfter = info.retryAfter;
    this.phase = info.phase;
  }

  get permanent(): boolean {
    return PERMANENT.has(this.kind);
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }

  /** Failures that say the backend itself is unhealthy (they feed the circuit breaker). */
  get backendFault(): boolean {
    return (
      this.kind === 'network' || this.kind === 'timeout' || this.kind === 'backend' || this.kind === 'stream'
    );
  }
}

export function isLlmError(err: unknown): err is LlmError {
  return err instanceof LlmError;
}

/** Classifies an HTTP error answer by Ollama's documented texts and status codes. */
export function errorFromStatus(
  backend: string,
  model: string | undefined,
  status: number,
  text: string,
): LlmError {
  const info = { backend, model, status };
  const lower = text.toLowerCase();
  if (status === 404) return new LlmError('model_not_found', text || 'model not found', info);
  if (status === 400 && lower.includes('does not support tools'))
    return new LlmError('tools_unsupported', text, info);
  if (status === 503 || status === 499 || status === 429)
    return new LlmError('busy', text || `status ${status}`, { ...info, retryAfter: 1 });
  if (status >= 400 && status < 500) return new LlmError('bad_request', text || `status ${status}`, info);
  return new LlmError('backend', text || `status ${status}`, info);
}

/** The boundary mapping: a catalogue error a route can send. */
export function toSutazaiError(err: unknown): SutazaiError {
  if (err instanceof SutazaiError) return err;
  if (!(err instanceof LlmError)) {
    return new SutazaiError(
      'SUTAZAI_ERR_LLM_BACKEND_ERROR',
      { backend: '?', reason: String(err) },
      { cause: err },
    );
  }
  const retryAfter = String(err.retryAfter ?? 1);
  const headers = { 'retry-after': retryAfter };
  const model = err.model ?? '?';
  switch (err.kind) {
    case 'model_not_found':
      return new SutazaiError(
        'SUTAZAI_ERR_LLM_MODEL_NOT_FOUND',
        { model, backend: err.backend },
        { cause: err },
      );
    case 'tools_unsupported':
      return new SutazaiError('SUTAZAI_ERR_LLM_TOOLS_UNSUPPORTED', { model }, { cause: err });
    case 'bad_request':
      return new SutazaiError('SUTAZAI_ERR_HTTP_BAD_REQUEST', { reason: err.message }, { cause: err });
    case 'busy':
    case 'limiter_full':
      return new SutazaiError(
        'SUTAZAI_ERR_LLM_BUSY',
        { model, reason: err.message, retryAfter },
        { headers, cause: err },
      );
    case 'circuit_open':
      return new SutazaiError(
        'SUTAZAI_ERR_LLM_CIRCUIT_OPEN',
        { backend: err.backend, retryAfter },
        { headers, cause: err },
      );
    case 'timeout':
      return new SutazaiError(
        'SUTAZAI_ERR_LLM_TIMEOUT',
        { backend: err.backend, phase: err.phase ?? '?' },
        { cause: err },
      );
    case 'network':
      return new SutazaiError(
        'SUTAZAI_ERR_LLM_UNAVAILABLE',
        { backend: err.backend },
        { headers, cause: err },
      );
    default:
      return new SutazaiError(
        'SUTAZAI_ERR_LLM_BACKEND_ERROR',
        { backend: err.backend, reason: err.message },
        { cause: err },
      );
  }
}
