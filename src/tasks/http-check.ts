import { z } from 'zod';
import { PermanentTaskError, type TaskHandler, type TaskTypeDefinition } from './types.js';

/**
 * `http.check`: probes a URL once and records what it saw. A response of any status is a result
 * (the probe worked; `ok` says whether it matched); only a network failure or timeout is an error,
 * which the queue retries with backoff. A payload that can never work is a PermanentTaskError.
 */
export const HTTP_CHECK_TYPE = 'http.check';

export const MAX_HTTP_CHECK_TIMEOUT_MS = 30_000;
/** Bytes counted from the body before the probe stops reading (bounded memory and time). */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export const HttpCheckPayloadSchema = z.strictObject({
  url: z
    .string()
    .max(4096)
    .url()
    .refine(
      (u) => /^https?:$/.test(URL.canParse(u) ? new URL(u).protocol : ''),
      'only http and https URLs can be checked',
    )
    .describe('http or https URL to probe, at most 4096 characters'),
  method: z.enum(['GET', 'HEAD']).default('GET'),
  timeoutMs: z
    .number()
    .int()
    .positive()
    .max(MAX_HTTP_CHECK_TIMEOUT_MS)
    .default(10_000)
    .describe(`Probe timeout in ms, 1 to ${MAX_HTTP_CHECK_TIMEOUT_MS}`),
  expectStatus: z
    .number()
    .int()
    .min(100)
    .max(599)
    .optional()
    .describe('Status that counts as ok (default: any 2xx)'),
});
export type HttpCheckPayload = z.infer<typeof HttpCheckPayloadSchema>;

export interface HttpCheckResult {
  status: number;
  ok: boolean;
  latencyMs: number;
  bytes?: number;
}

export class HttpCheckFailedError extends Error {
  constructor(url: string, reason: string, options?: { cause?: unknown }) {
    super(`http.check ${url} failed: ${reason}`, options);
    this.name = 'HttpCheckFailedError';
  }
}

export function parseHttpCheckPayload(payload: unknown): HttpCheckPayload {
  let parsed: ReturnType<typeof HttpCheckPayloadSchema.safeParse>;
  try {
    parsed = HttpCheckPayloadSchema.safeParse(payload);
  } catch (err) {
    throw new PermanentTaskError(`invalid http.check payload: ${(err as Error).message}`);
  }
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
  throw new PermanentTaskError(`invalid http.check payload: ${issues.join('; ')}`);
}

export const httpCheckHandler: TaskHandler = async (ctx) => {
  const payload = parseHttpCheckPayload(ctx.task.payload);
  const timeout = AbortSignal.timeout(payload.timeoutMs);
  const signal = AbortSignal.any([ctx.signal, timeout]);
  const started = performance.now();
  try {
    const response = await fetch(payload.url, { method: payload.method, signal, redirect: 'manual' });
    const bytes = payload.method === 'HEAD' ? undefined : await countBytes(response);
    const result: HttpCheckResult = {
      status: response.status,
      ok: payload.expectStatus === undefined ? response.ok : response.status === payload.expectStatus,
      latencyMs: Math.round(performance.now() - started),
      ...(bytes === undefined ? {} : { bytes }),
    };
    return result;
  } catch (err) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const reason = timeout.aborted ? `timed out after ${payload.timeoutMs} ms` : describeCause(err);
    throw new HttpCheckFailedError(payload.url, reason, { cause: err });
  }
};

async function countBytes(response: Response): Promise<number> {
  if (!response.body) return 0;
  let bytes = 0;
  for await (const chunk of response.body) {
    bytes += (chunk as Uint8Array).byteLength;
    if (bytes >= MAX_BODY_BYTES) {
      await response.body.cancel().catch(() => undefined);
      break;
    }
  }
  return bytes;
}

/** fetch() says only "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND) is in its cause. */
function describeCause(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return err instanceof Error ? err.message : String(err);
}

export const httpCheckTaskType: TaskTypeDefinition = {
  type: HTTP_CHECK_TYPE,
  summary: 'Probe a URL once; records status, latency and body size',
  payload: HttpCheckPayloadSchema,
  handler: httpCheckHandler,
};
