import type { IncomingMessage, ServerResponse } from 'node:http';
import { idOf, jsonRpcProblem } from '../jsonrpc.js';
import { errorResponse, MCP_METHODS } from './wire.js';
import type { JSONRPCMessage, Transport, TransportSendOptions } from '@modelcontextprotocol/server';

type RequestId = string | number;
type Message = Record<string, unknown>;

const MAX_BATCH = 100;
const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/**
 * Requests a session answers itself instead of passing them to its SDK server (decision 0072:
 * the fast path of plain tool calls). `accepts` must be cheap and say no to anything unusual.
 */
export interface DirectRoute {
  accepts(m: Message): boolean;
  /** The result; a throw becomes the error answer `error` makes of it. */
  answer(m: Message, signal: AbortSignal): Promise<unknown>;
  error(id: RequestId, err: unknown): Message;
}

/** One POST that carried requests: answered as JSON, or as an event stream once it needs one. */
interface Exchange {
  res: ServerResponse;
  pending: Set<RequestId>;
  responses: JSONRPCMessage[];
  batch: boolean;
  streaming: boolean;
}

/**
 * The server side of one Streamable HTTP session, written straight on Node's request and
 * response (the SDK's Node transport converts every request to a web Request and back, which
 * cost more than the rest of a /mcp call together). A POST is answered with plain JSON when its
 * responses are the first thing sent for it, and switches to an event stream only when something
 * else (progress, a log message, a server request) has to reach the client first. GET opens the
 * session's standalone stream for server notifications; DELETE ends the session.
 */
export class NodeSessionTransport implements Transport {
  sessionId?: string;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport['onmessage'];
  /** Set by the session manager once the session's server is built. */
  direct?: DirectRoute;

  /** Set by the SDK server's `connect` (before any request is handled), so no SDK import here. */
  private supported: readonly string[] = [];
  /** The exchange of every request still waiting for its result; an exchange is open while here. */
  private readonly byRequest = new Map<RequestId, Exchange>();
  /** Requests answered on the fast path and still running, to cancel on request or close. */
  private readonly directCalls = new Map<RequestId, AbortController>();
  private standalone: ServerResponse | undefined;
  private keepAlive: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly id: string,
    private readonly keepAliveMs = 15_000,
  ) {}

  async start(): Promise<void> {}

  /** True while the client holds the event stream open or waits for an answer: not idle. */
  get active(): boolean {
    return this.standalone !== undefined || this.byRequest.size > 0;
  }

  /** Whether a message related to request `rid` (none: the standalone stream) reaches the client now. */
  canDeliver(rid?: RequestId): boolean {
    return rid === undefined ? this.standalone !== undefined : this.byRequest.has(rid);
  }

  setSupportedProtocolVersions(versions: string[]): void {
    this.supported = versions;
  }

  /** Answers one HTTP request of this session; `body` is the already parsed JSON of a POST. */
  handle(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    if (this.closed) return reject(res, 404, -32001, 'Session not found');
    if (req.method === 'POST') return this.post(req, res, body);
    if (req.method === 'GET') return this.get(req, res);
    if (req.method === 'DELETE') return this.delete(req, res);
    reject(res, 405, -32000, 'Method not allowed.', { allow: MCP_METHODS.join(', ') });
  }

  private post(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    const accept = req.headers.accept ?? '';
    if (!accept.includes('application/json') || !accept.includes('text/event-stream'))
      return reject(
        res,
        406,
        -32000,
        'Not Acceptable: Client must accept both application/json and text/event-stream',
      );
    const batch = Array.isArray(body);
    const items: unknown[] = batch ? body : [body];
    if (items.length === 0 || items.length > MAX_BATCH)
      return reject(res, 400, -32600, `Invalid Request: a batch holds 1 to ${MAX_BATCH} messages`);
    const { valid, errors } = this.sort(items);
    const initialize = valid.some((m) => m.method === 'initialize' && m.id !== undefined);
    if (initialize) {
      if (this.sessionId) return reject(res, 400, -32600, 'Invalid Request: Server already initialized');
      if (items.length > 1)
        return reject(res, 400, -32600, 'Invalid Request: Only one initialization request is allowed');
      this.sessionId = this.id;
    } else {
      const invalid = this.invalidSession(req);
      if (invalid) return reject(res, 400, -32000, invalid);
    }
    const requests = valid.filter((m) => typeof m.method === 'string' && m.id !== undefined);
    if (requests.length === 0) {
      // Nothing to wait for: 202, or 400 carrying the answers to the invalid members.
      if (errors.length === 0) res.writeHead(202).end();
      else writeJson(res, 400, batch ? errors : errors[0]);
      for (const m of valid) this.dispatch(m);
      return;
    }
    const exchange: Exchange = {
      res,
      pending: new Set(requests.map((m) => m.id as RequestId)),
      responses: errors,
      batch,
      streaming: false,
    };
    for (const rid of exchange.pending) this.byRequest.set(rid, exchange);
    // A client that hangs up gets nothing more; what is still running finishes and is dropped.
    res.on('close', () => this.abandon(exchange));
    for (const m of valid) this.dispatch(m);
  }

  /** Hands a valid message to the fast path when it takes it, else to the SDK server. */
  private dispatch(m: Message): void {
    if (m.method === 'notifications/cancelled') this.cancelDirect(m.params as Message | undefined);
    else if (m.id !== undefined && this.direct?.accepts(m)) {
      void this.runDirect(m);
      return;
    }
    this.onmessage?.(m as JSONRPCMessage);
  }

  /** Answers one request on the fast path; a cancelled one gets no answer, as from the SDK. */
  private async runDirect(m: Message): Promise<void> {
    const id = m.id as RequestId;
    const controller = new AbortController();
    this.directCalls.set(id, controller);
    let answer: Message;
    try {
      answer = { jsonrpc: '2.0', id, result: await this.direct!.answer(m, controller.signal) };
    } catch (err) {
      answer = this.direct!.error(id, err);
    } finally {
      if (this.directCalls.get(id) === controller) this.directCalls.delete(id);
    }
    if (!controller.signal.aborted) await this.send(answer as JSONRPCMessage);
  }

  private cancelDirect(params: Message | undefined): void {
    const rid = params?.requestId as RequestId | undefined;
    if (rid !== undefined) this.directCalls.get(rid)?.abort(params?.reason);
  }

  /**
   * Splits a POST's messages into the valid ones and answers to the others: each invalid member
   * gets its own -32600 (with its id when it has one), so one bad member never holds up the rest
   * and every request gets exactly one answer (a repeated in-progress id would otherwise share one).
   */
  private sort(items: unknown[]): { valid: Message[]; errors: JSONRPCMessage[] } {
    const valid: Message[] = [];
    const errors: JSONRPCMessage[] = [];
    const ids = new Set<RequestId>();
    for (const item of items) {
      const problem = jsonRpcProblem(item);
      if (problem) {
        errors.push(errorResponse(idOf(item), -32600, `Invalid Request: ${problem}`) as JSONRPCMessage);
        continue;
      }
      const m = item as Message;
      const rid = m.id as RequestId;
      const isRequest = typeof m.method === 'string' && m.id !== undefined;
      if (isRequest && (ids.has(rid) || this.byRequest.has(rid))) {
        const message = 'Invalid Request: a request with this id is already in progress';
        errors.push(errorResponse(rid, -32600, message) as JSONRPCMessage);
        continue;
      }
      if (isRequest) ids.add(rid);
      valid.push(m);
    }
    return { valid, errors };
  }

  private get(req: IncomingMessage, res: ServerResponse): void {
    if (!(req.headers.accept ?? '').includes('text/event-stream'))
      return reject(res, 406, -32000, 'Not Acceptable: Client must accept text/event-stream');
    const invalid = this.invalidSession(req);
    if (invalid) return reject(res, 400, -32000, invalid);
    if (this.standalone)
      return reject(res, 409, -32000, 'Conflict: Only one SSE stream is allowed per session');
    res.writeHead(200, { ...SSE_HEADERS, 'mcp-session-id': this.id });
    res.flushHeaders();
    this.standalone = res;
    // Comments keep proxies and idle-socket timeouts from cutting a quiet stream.
    this.keepAlive = setInterval(() => res.write(': keepalive\n\n'), this.keepAliveMs);
    this.keepAlive.unref();
    res.on('close', () => {
      if (this.standalone !== res) return;
      clearInterval(this.keepAlive);
      this.standalone = undefined;
    });
  }

  private delete(req: IncomingMessage, res: ServerResponse): void {
    const invalid = this.invalidSession(req);
    if (invalid) return reject(res, 400, -32000, invalid);
    res.writeHead(200).end();
    void this.close();
  }

  private invalidSession(req: IncomingMessage): string | undefined {
    if (!this.sessionId) return 'Bad Request: Server not initialized';
    const version = req.headers['mcp-protocol-version'];
    if (typeof version === 'string' && !this.supported.includes(version))
      return `Bad Request: Unsupported protocol version: ${version} (supported versions: ${this.supported.join(', ')})`;
    return undefined;
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const m = message as Message;
    const isResponse = m.method === undefined && m.id !== undefined;
    const rid = isResponse ? (m.id as RequestId) : options?.relatedRequestId;
    if (rid === undefined) {
      this.standalone?.write(sseEvent(message));
      return;
    }
    const exchange = this.byRequest.get(rid);
    if (!exchange) return; // its client hung up, or the session closed
    if (!isResponse) {
      this.stream(exchange);
      exchange.res.write(sseEvent(message));
      return;
    }
    this.byRequest.delete(rid);
    exchange.pending.delete(rid);
    if (exchange.streaming) exchange.res.write(sseEvent(message));
    else exchange.responses.push(message);
    if (exchange.pending.size > 0) return;
    if (exchange.streaming) exchange.res.end();
    else {
      const payload = JSON.stringify(exchange.batch ? exchange.responses : exchange.responses[0]);
      exchange.res
        .writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': this.id })
        .end(payload);
    }
  }

  /** Turns a POST's answer into an event stream, replaying responses already collected. */
  private stream(exchange: Exchange): void {
    if (exchange.streaming) return;
    exchange.streaming = true;
    exchange.res.writeHead(200, { ...SSE_HEADERS, 'mcp-session-id': this.id });
    for (const r of exchange.responses) exchange.res.write(sseEvent(r));
    exchange.responses = [];
  }

  /** Forgets the requests of an exchange whose answer can no longer be delivered. */
  private abandon(exchange: Exchange): void {
    for (const rid of exchange.pending) if (this.byRequest.get(rid) === exchange) this.byRequest.delete(rid);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const controller of this.directCalls.values()) controller.abort(new Error('Connection closed'));
    this.directCalls.clear();
    for (const exchange of new Set(this.byRequest.values())) {
      this.abandon(exchange);
      if (exchange.res.headersSent) exchange.res.end();
      else reject(exchange.res, 404, -32001, 'Session closed');
    }
    clearInterval(this.keepAlive);
    this.standalone?.end();
    this.standalone = undefined;
    this.onclose?.();
  }
}

function sseEvent(message: JSONRPCMessage): string {
  return `event: message\ndata: ${JSON.stringify(message)}\n\n`;
}

/** A JSON-RPC error answer outside any request (id null), or to one invalid message (its id). */
export function reject(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
  id: string | number | null = null,
  data?: unknown,
): void {
  writeJson(res, status, errorResponse(id, code, message, data), headers);
}

function writeJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
