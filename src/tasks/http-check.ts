import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import {
  createOutboundGuard,
  guardedRequest,
  OutboundRefusedError,
  type OutboundGuard,
} from '../net/index.js';
import { PermanentTaskError, requesterOf, type TaskHandler, type TaskTypeDefinition } from './types.js';

/**
 * `http.check`: probes a URL once and records what it saw. A response of any status is a result
 * (the probe worked; `ok` says whether it matched); only a network failure or timeout is an error,
 * which the queue retries with backoff. A payload that can never work is a PermanentTaskError.
 * The connection goes through the outbound guard: a task a user submitted cannot reach loopback,
 * private or metadata addresses unless `outbound.allow` lists them (an admin's can). Redirects
 * are not followed: the 3xx is the result.
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

/** The http.check handler with its connections checked by `guard`. */
export function createHttpCheckHandler(guard: OutboundGuard): TaskHandler {
  return async (ctx) => {
    const payload = parseHttpCheckPayload(ctx.task.payload);
    const timeout = AbortSignal.timeout(payload.timeoutMs);
    const signal = AbortSignal.any([ctx.signal, timeout]);
    const started = performance.now();
    try {
      const { response } = await guardedRequest(new URL(payload.url), {
        guard,
        requester: requesterOf(ctx.task),
        method: payload.method,
        headers: { 'user-agent': 'sutazai-http-check/1' },
        signal,
        maxRedirects: 0,
      });
      const status = response.statusCode ?? 0;
      if (payload.method === 'HEAD') response.resume(); // no body; frees the socket
      const bytes = payload.method === 'HEAD' ? undefined : await countBytes(response);
      const result: HttpCheckResult = {
        status,
        ok:
          payload.expectStatus === undefined
            ? status >= 200 && status < 300
            : status === payload.expectStatus,
        latencyMs: Math.round(performance.now() - started),
        ...(bytes === undefined ? {} : { bytes }),
      };
      return result;
    } catch (err) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (err instanceof OutboundRefusedError)
        throw new PermanentTaskError(`http.check ${payload.url} refused: ${err.message}`, { cause: err });
      const reason = timeout.aborted ? `timed out after ${payload.timeoutMs} ms` : describeCause(err);
      throw new HttpCheckFailedError(payload.url, reason, { cause: err });
    }
  };
}

/** http.check with a guard that has no allowlist (tasks enqueued by the platform itself run as admin). */
export const httpCheckHandler: TaskHandler = createHttpCheckHandler(createOutboundGuard({ allow: [] }));

async function countBytes(response: IncomingMessage): Promise<number> {
  let bytes = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    bytes += chunk.byteLength;
    if (bytes >= MAX_BODY_BYTES) {
      response.destroy();
      break;
    }
  }
  return bytes;
}

/** The useful part of a network error is its code (ECONNREFUSED, ENOTFOUND), on it or its cause. */
function describeCause(err: unknown): string {
  const own = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const cause = own.code ? own : own.cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return err instanceof Error ? err.message : String(err);
}

export function createHttpCheckTaskType(guard: OutboundGuard): TaskTypeDefinition {
  return { ...httpCheckTaskType, handler: createHttpCheckHandler(guard) };
}

export const httpCheckTaskType: TaskTypeDefinition = {
  type: HTTP_CHECK_TYPE,
  summary: 'Probe a URL once; records status, latency and body size',
  payload: HttpCheckPayloadSchema,
  handler: httpCheckHandler,
};
