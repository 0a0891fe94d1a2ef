import http from 'node:http';
import https from 'node:https';
import { LlmError, errorFromStatus } from './errors.js';
import type { TimeoutSettings } from './types.js';

/**
 * One outbound HTTP call with our own timers instead of a blanket header timeout:
 *   connect     — from start until the TCP socket connects (skipped on a reused socket),
 *   first-token — from the request being sent until the first body byte (Ollama sends its headers
 *                 with the first token, so a cold model load counts here, not in "connect"),
 *   idle        — between body chunks while the caller waits for the next one.
 * One AbortSignal per call; aborting destroys the socket, which is what frees Ollama's slot.
 */
export interface HttpCall {
  backend: string;
  model?: string;
  url: string;
  method: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeouts: TimeoutSettings;
}

export interface HttpAnswer {
  status: number;
  /** Body chunks; the idle timer runs only while waiting for the next one. */
  body: AsyncGenerator<Buffer>;
}

const agentHttp = new http.Agent({ keepAlive: true, maxSockets: 256 });
const agentHttps = new https.Agent({ keepAlive: true, maxSockets: 256 });

type Phase = 'connect' | 'first-token' | 'idle';

export function openHttp(call: HttpCall): Promise<HttpAnswer> {
  const url = new URL(call.url);
  const lib = url.protocol === 'https:' ? https : http;
  const payload = call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body));
  const info = { backend: call.backend, ...(call.model ? { model: call.model } : {}) };
  return new Promise<HttpAnswer>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let res: http.IncomingMessage | undefined;
    let settled = false;
    const fail = (err: Error) => {
      clearTimeout(timer);
      if (res) res.destroy(err);
      req.destroy(err);
      if (!settled) {
        settled = true;
        reject(err);
      }
    };
    const arm = (phase: Phase) => {
      clearTimeout(timer);
      const ms =
        phase === 'connect'
          ? call.timeouts.connectTimeoutMs
          : phase === 'first-token'
            ? call.timeouts.firstTokenTimeoutMs
            : call.timeouts.idleTimeoutMs;
      timer = setTimeout(
        () => fail(new LlmError('timeout', `${phase} timeout after ${ms} ms`, { ...info, phase })),
        ms,
      );
    };
    const onAbort = () => fail(new LlmError('aborted', 'call aborted', info));
    if (call.signal?.aborted) return reject(new LlmError('aborted', 'call aborted', info));
    call.signal?.addEventListener('abort', onAbort, { once: true });

    const req = lib.request(url, {
      method: call.method,
      agent: url.protocol === 'https:' ? agentHttps : agentHttp,
      headers: {
        accept: 'application/x-ndjson, text/event-stream, application/json',
        ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
        ...call.headers,
      },
    });
    arm('connect');
    req.on('socket', (socket) => {
      if (!socket.connecting) arm('first-token');
      else socket.once('connect', () => arm('first-token'));
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      call.signal?.removeEventListener('abort', onAbort);
      if (settled) return;
      settled = true;
      reject(err instanceof LlmError ? err : new LlmError('network', err.message, { ...info, cause: err }));
    });
    req.on('response', (response) => {
      res = response;
      settled = true;
      resolve({
        status: response.statusCode ?? 0,
        body: readBody(response, info, arm, () => {
          clearTimeout(timer);
          call.signal?.removeEventListener('abort', onAbort);
          // A fully read response leaves its socket to the keep-alive pool; only a partial one is cut.
          if (!response.complete) response.destroy();
        }),
      });
    });
    req.end(payload);
  });
}

async function* readBody(
  res: http.IncomingMessage,
  info: { backend: string; model?: string },
  arm: (phase: Phase) => void,
  cleanup: () => void,
): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of res) {
      arm('idle');
      yield chunk as Buffer;
    }
  } catch (err) {
    if (err instanceof LlmError) throw err;
    throw new LlmError('stream', (err as Error).message, { ...info, cause: err });
  } finally {
    cleanup();
  }
}

/** Reads a whole (small) body as text. */
export async function readText(body: AsyncGenerator<Buffer>, maxBytes = 4 * 1024 * 1024): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) {
      await body.return(undefined);
      throw new Error(`response larger than ${maxBytes} bytes`);
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Pulls the message out of `{"error":"…"}` (Ollama) or `{"error":{"message":"…"}}` (OpenAI). */
export function errorText(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
    const nested = parsed.error as { message?: unknown } | undefined;
    if (nested && typeof nested.message === 'string') return nested.message;
  } catch {
    // not JSON: use the raw text
  }
  return text.trim().slice(0, 500);
}

/** Opens the call and turns a non-2xx answer into a typed LlmError. */
export async function openOk(call: HttpCall): Promise<AsyncGenerator<Buffer>> {
  const answer = await openHttp(call);
  if (answer.status >= 200 && answer.status < 300) return answer.body;
  const text = await readText(answer.body).catch(() => '');
  throw errorFromStatus(call.backend, call.model, answer.status, errorText(text));
}

export async function getJson<T>(call: HttpCall): Promise<T> {
  const body = await openOk(call);
  return JSON.parse(await readText(body)) as T;
}
