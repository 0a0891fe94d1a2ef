import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { McpGateway } from '../gateway.js';
import { McpGatewayError, RETRY_LATER, RETRY_LATER_KINDS } from '../errors.js';
import type { ServerRuntime } from '../supervisor/server-runtime.js';
import { reject } from './http-transport.js';

/** Stateless requests relayed to per-session servers use this instance key (as REST and agents do). */
const STATELESS_KEY = 'default';
/** At most this many `subscriptions/listen` streams relayed at once (they hold no instance slot). */
export const MAX_RELAYED_LISTEN_STREAMS = 64;
const DISCOVER_TIMEOUT_MS = 5000;

/**
 * A 2026-07-28 request to /mcp/{server} whose server is remote and speaks that revision itself goes
 * to it as it came (decision 0064): the revision's own answers — `input_required` results and their
 * retries with `inputResponses` and `requestState`, capability errors (-32021, HTTP 400), listen
 * streams — then pass through unchanged, where the gateway's own 2026 server could only answer for
 * an upstream it speaks 2025-11-25 to. Each request holds an instance slot of the server (caps,
 * queueing, crash-loop refusal as for any call) and is bounded by the call timeout until the
 * answer starts and by `mcp.callMaxTotalMs` in all; a listen stream lasts while the client holds it.
 */
export class ModernPassthrough {
  /** Per runtime (a changed server gets a new one), per protocol version: does it speak it? */
  private readonly speaks = new WeakMap<ServerRuntime, Map<string, boolean>>();
  private listenStreams = 0;

  constructor(private readonly gateway: McpGateway) {}

  /** Relays `body` to `scope`'s server if it speaks the request's revision; false (nothing written) if not. */
  async handle(scope: string, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<boolean> {
    const rt = this.gateway.runtime(scope);
    const version = req.headers['mcp-protocol-version'];
    if (rt.spec.transport.kind !== 'http' || typeof version !== 'string') return false;
    if (!(await this.speaksVersion(rt, version))) return false;
    const listen = (body as { method?: unknown }).method === 'subscriptions/listen';
    if (listen) return this.listen(rt, req, res, body);
    const cfg = this.gateway.config;
    const deadline = Date.now() + Math.max(cfg.callTimeoutMs, cfg.startTimeoutMs);
    let instance;
    try {
      instance = await rt.acquire(STATELESS_KEY, deadline);
    } catch (err) {
      refuse(res, body, err);
      return true;
    }
    try {
      await this.relay(rt, req, res, body, cfg.callMaxTotalMs);
    } finally {
      rt.release(instance);
    }
    return true;
  }

  private async listen(rt: ServerRuntime, req: IncomingMessage, res: ServerResponse, body: unknown) {
    if (this.listenStreams >= MAX_RELAYED_LISTEN_STREAMS) {
      refuse(
        res,
        body,
        new McpGatewayError('overloaded', 'too many relayed listen streams', { retryAfter: 5 }),
      );
      return true;
    }
    this.listenStreams++;
    try {
      await this.relay(rt, req, res, body, undefined);
    } finally {
      this.listenStreams--;
    }
    return true;
  }

  /** One upstream POST; the answer's status, type and body (JSON or event stream) go to the client. */
  private async relay(
    rt: ServerRuntime,
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    totalMs: number | undefined,
  ): Promise<void> {
    const transport = rt.spec.transport as { url: string; headers?: Record<string, string> };
    const hangUp = new AbortController();
    res.on('close', () => hangUp.abort());
    const firstByte = AbortSignal.timeout(this.gateway.config.callTimeoutMs);
    const signals = [hangUp.signal, firstByte, ...(totalMs ? [AbortSignal.timeout(totalMs)] : [])];
    let upstream: Response;
    try {
      upstream = await fetch(transport.url, {
        method: 'POST',
        headers: { ...relayedHeaders(req), ...transport.headers },
        body: JSON.stringify(body),
        signal: AbortSignal.any(signals),
      });
    } catch {
      const timedOut = firstByte.aborted;
      refuse(
        res,
        body,
        new McpGatewayError(
          timedOut ? 'timeout' : 'unavailable',
          timedOut ? `${rt.spec.name} did not answer in time` : `${rt.spec.name} is unreachable`,
          { name: rt.spec.name, retryAfter: 1 },
        ),
      );
      return;
    }
    const headers: Record<string, string> = {};
    const type = upstream.headers.get('content-type');
    if (type) headers['content-type'] = type;
    res.writeHead(upstream.status, headers);
    if (!upstream.body) return void res.end();
    const stream = Readable.fromWeb(upstream.body as never);
    await new Promise<void>((resolve) => {
      stream.on('error', () => res.destroy());
      res.on('close', () => {
        stream.destroy();
        resolve();
      });
      stream.pipe(res);
    });
  }

  private async speaksVersion(rt: ServerRuntime, version: string): Promise<boolean> {
    let known = this.speaks.get(rt);
    if (!known) this.speaks.set(rt, (known = new Map()));
    const cached = known.get(version);
    if (cached !== undefined) return cached;
    const answer = await discover(rt, version);
    if (answer !== undefined) known.set(version, answer);
    return answer ?? false;
  }
}

/** Asks the server (`server/discover`) whether it supports `version`; undefined when it cannot tell. */
async function discover(rt: ServerRuntime, version: string): Promise<boolean | undefined> {
  const transport = rt.spec.transport as { url: string; headers?: Record<string, string> };
  try {
    const res = await fetch(transport.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': version,
        'mcp-method': 'server/discover',
        ...transport.headers,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'server/discover',
        params: {
          _meta: {
            'io.modelcontextprotocol/protocolVersion': version,
            'io.modelcontextprotocol/clientCapabilities': {},
            'io.modelcontextprotocol/clientInfo': { name: 'sutazai-mcp-gateway', version: '0.1.0' },
          },
        },
      }),
      signal: AbortSignal.timeout(DISCOVER_TIMEOUT_MS),
    });
    if (res.status >= 500) {
      await res.body?.cancel();
      return undefined;
    }
    const answer = parseAnswer(await res.text()) as { result?: { supportedVersions?: unknown } } | undefined;
    const versions = answer?.result?.supportedVersions;
    return Array.isArray(versions) && versions.includes(version);
  } catch {
    return undefined; // unreachable now: ask again next time
  }
}

/** The JSON-RPC answer in a plain JSON body or in the first `data:` line of an event stream. */
function parseAnswer(text: string): unknown {
  const data = text.trimStart().startsWith('{') ? text : /^data: ?(.*)$/m.exec(text)?.[1];
  try {
    return data === undefined ? undefined : JSON.parse(data);
  } catch {
    return undefined;
  }
}

/**
 * The client's headers that belong to the protocol: content negotiation and the `Mcp-*` headers
 * of the revision. Never its credentials for the gateway (authorization, cookies, API keys) nor a
 * session id; the server's own headers from .mcp.json are added by the caller.
 */
function relayedHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = { 'content-type': 'application/json' };
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value !== 'string') continue;
    if (name === 'accept' || (name.startsWith('mcp-') && name !== 'mcp-session-id')) out[name] = value;
  }
  return out;
}

/** A refusal in JSON-RPC shape with the request's id: -32005 (retry later) or -32603 with the kind. */
function refuse(res: ServerResponse, body: unknown, err: unknown): void {
  const id = (body as { id?: string | number }).id ?? null;
  const e = err instanceof McpGatewayError ? err : undefined;
  const kind = e?.kind ?? 'unavailable';
  const retryAfter = typeof e?.data.retryAfter === 'number' ? e.data.retryAfter : undefined;
  const later = RETRY_LATER_KINDS.has(kind);
  reject(
    res,
    later ? 503 : kind === 'timeout' ? 504 : 500,
    later ? RETRY_LATER : -32603,
    e?.message ?? 'internal error',
    retryAfter ? { 'retry-after': String(retryAfter) } : {},
    id,
    { kind, ...(retryAfter ? { retryAfter } : {}) },
  );
}
