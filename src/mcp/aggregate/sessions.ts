import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientCapabilities, Server, ServerCapabilities } from '@modelcontextprotocol/server';
import { mcpSessions } from '../../metrics/index.js';
import type { ClientBridge, McpGateway } from '../gateway.js';
import { capabilitiesForNewSession } from './capabilities.js';
import { NodeSessionTransport, reject } from './http-transport.js';
import type { NameTable } from './names.js';
import type { PendingInputs } from './input-required.js';
import type { ServerRequestRelay } from './server-requests.js';
import { StatelessMcp } from './stateless.js';
import { Subscriptions } from './subscriptions.js';
import { initializeProblem, readBody, type WireError } from './wire.js';

interface Session {
  id: string;
  scope: string | null;
  /** Who opened it: `api_key:<id>`, `user:<id>`, or `ip:<address>` for anonymous callers. */
  principal: string;
  transport: NodeSessionTransport;
  server: Server;
  lastSeen: number;
  /** Set by `logging/setLevel`: log messages at or above it are relayed to this session. */
  logLevel?: string;
  /** Server-to-client requests relayed to this client and not yet answered. */
  pendingServerRequests: number;
}

const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];
const severity = (level: unknown) => LOG_LEVELS.indexOf(String(level));

/**
 * The /mcp client sessions: one SDK Server + Streamable HTTP transport per session.
 *
 * Nobody can hoard them: a principal holds at most `maxSessionsPerPrincipal` (at its cap its own
 * least recently used idle session makes room); at the global cap the least recently used idle
 * session of anyone is evicted; a session is idle when it has no open event stream and no request
 * in progress, and expires after `sessionIdleMs` idle. Only when every session is busy does a new
 * one get 503, with a Retry-After from when one is expected to become evictable. A session that
 * ends in any way releases its per-session upstream instances at once.
 */
export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly listener = (kind: string, server: string) => this.broadcast(kind, server);
  private readonly subscriptions: Subscriptions;
  private readonly updateListener = (server: string, key: string | null, uri: string) => {
    for (const id of this.subscriptions.subscribers(server, uri, key))
      void this.sessions
        .get(id)
        ?.server.notification({ method: 'notifications/resources/updated', params: { uri } })
        .catch(() => {});
  };
  private readonly logListener = (server: string, key: string | null, params: Record<string, unknown>) =>
    this.relayLog(server, key, params);

  constructor(
    private readonly gateway: McpGateway,
    private readonly names: NameTable,
  ) {
    const every = Math.max(1000, Math.min(gateway.config.sessionIdleMs / 4, 60_000));
    this.sweeper = setInterval(() => void this.sweep(), every);
    this.sweeper.unref();
    gateway.listeners.add(this.listener);
    gateway.logListeners.add(this.logListener);
    this.subscriptions = new Subscriptions(gateway);
    gateway.updateListeners.add(this.updateListener);
    this.bridge = {
      capabilities: (key) => this.sessions.get(key)?.server.getClientCapabilities() ?? this.opening.get(key),
      serverRequest: async (server, key, request, origins) =>
        (await this.loadRelay()).relay(key, request, origins, server),
      instanceReady: (server, key, instance) => this.subscriptions.resubscribe(server, key, instance),
      // Before the relay exists no elicitation was relayed, so none can complete.
      elicitationComplete: (server, params) => this.relay?.elicitationComplete(server, params),
    };
    gateway.bridge = this.bridge;
    this.stateless = new StatelessMcp(gateway, names, () => this.loadInputs());
  }

  /**
   * Stateless calls waiting for the client's input (their upstream requests pending). Loaded with
   * the first stateless request or server request: it brings the SDK, which idle never needs.
   */
  private inputs?: PendingInputs;
  private inputsLoading?: Promise<PendingInputs>;
  private readonly bridge: ClientBridge;
  /**
   * Loaded at the first server-to-client request: it brings the SDK client (about 7 MB of RSS),
   * which an idle platform without MCP servers never needs.
   */
  private relay?: ServerRequestRelay;
  private relayLoading?: Promise<ServerRequestRelay>;
  /** Client capabilities of sessions whose `initialize` is being answered. */
  private readonly opening = new Map<string, ClientCapabilities>();
  private readonly stateless: StatelessMcp;

  private loadInputs(): Promise<PendingInputs> {
    this.inputsLoading ??= import('./input-required.js').then(
      ({ PendingInputs }) => (this.inputs = new PendingInputs(this.gateway.config.inputWaitMs)),
    );
    return this.inputsLoading;
  }

  private loadRelay(): Promise<ServerRequestRelay> {
    this.relayLoading ??= Promise.all([import('./server-requests.js'), this.loadInputs()]).then(
      ([{ ServerRequestRelay }, inputs]) => {
        this.relay = new ServerRequestRelay(
          (id) => this.sessions.get(id),
          this.gateway.config.callTimeoutMs,
          inputs,
        );
        return this.relay;
      },
    );
    return this.relayLoading;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Handles one HTTP request for `/mcp` (scope null) or `/mcp/{server}`; `raw` is a POST's bytes. */
  async handle(
    scope: string | null,
    req: IncomingMessage,
    res: ServerResponse,
    raw: unknown,
    principal = `ip:${req.socket.remoteAddress ?? 'unknown'}`,
  ): Promise<void> {
    const read = readBody(req, raw);
    if ('status' in read) return rejectWire(res, read);
    const body = read.body;
    const header = req.headers['mcp-session-id'];
    const id = Array.isArray(header) ? header[0] : header;
    if (id) {
      const session = this.sessions.get(id);
      if (!session || session.scope !== scope || session.principal !== principal)
        return reject(res, 404, -32001, 'Session not found');
      session.lastSeen = Date.now();
      return session.transport.handle(req, res, body);
    }
    if (req.method !== 'POST') return reject(res, 400, -32000, 'Bad Request: No valid session ID provided');
    // A 2026-07-28 request needs no session (issue 15 item 6; there `initialize` is an unknown
    // method: 404); a 2025-era one must initialize first.
    if (await this.stateless.handle(scope, req, res, body, principal)) return;
    const problem = (await initializeProblem(body)) ?? (await this.admit(principal));
    if (problem) return rejectWire(res, problem);
    await this.open(scope, principal, req, res, body);
  }

  /** Makes room for one more session of `principal`, or says why there is none. */
  private async admit(principal: string): Promise<WireError | undefined> {
    const cfg = this.gateway.config;
    const mine = [...this.sessions.values()].filter((s) => s.principal === principal);
    if (mine.length >= cfg.maxSessionsPerPrincipal) {
      const victim = leastRecentlyUsedIdle(mine);
      if (!victim) return this.busy(429, `this client already holds ${mine.length} busy MCP sessions`, mine);
      await this.drop(victim.id);
    }
    if (this.sessions.size < cfg.maxSessions) return undefined;
    await this.sweep();
    if (this.sessions.size < cfg.maxSessions) return undefined;
    const victim = leastRecentlyUsedIdle([...this.sessions.values()]);
    if (!victim) return this.busy(503, 'every MCP session is busy', [...this.sessions.values()]);
    await this.drop(victim.id);
    return undefined;
  }

  /** A refusal when no session can make room: retry when the soonest busy one may be idle again. */
  private busy(status: number, why: string, sessions: Session[]): WireError {
    const retryAfter = Math.max(
      1,
      Math.ceil(Math.min(...sessions.map((s) => this.secondsUntilEvictable(s))) || 1),
    );
    return {
      status,
      code: -32000,
      message: `Too many MCP sessions: ${why}; end one with DELETE or retry in ${retryAfter} s`,
      headers: { 'retry-after': String(retryAfter) },
    };
  }

  /** Open streams last as long as the client wants; a request ends within the call timeout. */
  private secondsUntilEvictable(s: Session): number {
    return s.transport.active ? this.gateway.config.callTimeoutMs / 1000 : 0;
  }

  private async open(
    scope: string | null,
    principal: string,
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
  ): Promise<void> {
    const sessionId = randomUUID();
    // Loaded at the first session, with the SDK server it needs (about 15 MB of RSS otherwise idle).
    const [{ buildSessionServer }, { DirectCalls }] = await Promise.all([
      import('./mcp-server.js'),
      import('./direct-calls.js'),
    ]);
    const transport = new NodeSessionTransport(sessionId);
    // A per-session instance started to learn capabilities is this session's: it announces what
    // this client declares in the initialize being answered.
    this.opening.set(sessionId, clientCapabilitiesOf(body));
    let capabilities: ServerCapabilities;
    try {
      capabilities = await capabilitiesForNewSession(this.gateway, scope, sessionId);
    } finally {
      this.opening.delete(sessionId);
    }
    const server = buildSessionServer(this.gateway, this.names, scope, sessionId, capabilities, {
      setLevel: (level) => this.setLevel(sessionId, level),
      subscribe: (s, uri) => this.subscriptions.subscribe(sessionId, s, uri),
      unsubscribe: (s, uri) => this.subscriptions.unsubscribe(sessionId, s, uri),
      rootsChanged: async (names) => {
        await Promise.allSettled(names.map((n) => this.gateway.rootsChanged(n, sessionId)));
      },
    });
    const session: Session = {
      id: sessionId,
      scope,
      principal,
      transport,
      server,
      lastSeen: Date.now(),
      pendingServerRequests: 0,
    };
    transport.direct = new DirectCalls(this.gateway, this.names, scope, sessionId, capabilities);
    transport.onclose = () => this.forget(sessionId);
    await server.connect(transport);
    this.sessions.set(sessionId, session);
    mcpSessions.set(this.sessions.size);
    transport.handle(req, res, body);
    if (!transport.sessionId) await this.drop(sessionId); // refused by the transport (e.g. 406)
  }

  /** Every way a session ends comes here: its per-session instances are released at once. */
  private forget(id: string): void {
    if (!this.sessions.delete(id)) return;
    mcpSessions.set(this.sessions.size);
    this.subscriptions.endSession(id);
    this.relay?.endSession(id);
    this.gateway.endSession(id);
  }

  private async drop(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) return;
    this.forget(id);
    await s.server.close().catch(() => {});
  }

  private async sweep(): Promise<void> {
    const cutoff = Date.now() - this.gateway.config.sessionIdleMs;
    for (const s of [...this.sessions.values()])
      if (s.lastSeen < cutoff && !s.transport.active) await this.drop(s.id);
  }

  /**
   * A session asked for log messages at `level`: each upstream in its scope gets the most verbose
   * level any session of that server asked for (instances are shared; the relay filters per session).
   */
  private async setLevel(sessionId: string, level: string): Promise<void> {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    session.logLevel = level;
    const names = session.scope ? [session.scope] : this.gateway.serverNames();
    await Promise.all(
      names.map((name) => {
        const levels = [...this.sessions.values()]
          .filter((s) => s.logLevel && (s.scope === null || s.scope === name))
          .map((s) => s.logLevel!);
        const verbose = levels.reduce((a, b) => (severity(b) < severity(a) ? b : a), level);
        return this.gateway.setLogLevel(name, verbose).catch(() => {});
      }),
    );
  }

  /** An upstream log message goes to the sessions that asked for its level (aggregate: logger names the server). */
  private relayLog(server: string, key: string | null, params: Record<string, unknown>): void {
    for (const s of this.sessions.values()) {
      if (!s.logLevel || severity(params.level) < severity(s.logLevel)) continue;
      if (s.scope !== null && s.scope !== server) continue;
      if (key !== null && key !== s.id) continue; // a per-session instance: its own session only
      const logger = typeof params.logger === 'string' ? `${server}/${params.logger}` : server;
      const relayed = s.scope === null ? { ...params, logger } : params;
      void s.server
        .notification({ method: 'notifications/message', params: relayed as never })
        .catch(() => {});
    }
  }

  private broadcast(kind: string, server: string): void {
    const method =
      kind === 'prompts'
        ? 'notifications/prompts/list_changed'
        : kind === 'resources'
          ? 'notifications/resources/list_changed'
          : 'notifications/tools/list_changed';
    for (const s of this.sessions.values()) {
      if (s.scope !== null && s.scope !== server) continue;
      void s.server.notification({ method }).catch(() => {});
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.gateway.listeners.delete(this.listener);
    this.gateway.logListeners.delete(this.logListener);
    this.gateway.updateListeners.delete(this.updateListener);
    if (this.gateway.bridge === this.bridge) this.gateway.bridge = undefined;
    this.inputs?.close();
    await this.stateless.close();
    await Promise.all([...this.sessions.keys()].map((id) => this.drop(id)));
  }
}

/** What the client declares in an (already validated) `initialize` request. */
function clientCapabilitiesOf(body: unknown): ClientCapabilities {
  return (body as { params?: { capabilities?: ClientCapabilities } }).params?.capabilities ?? {};
}

function leastRecentlyUsedIdle(sessions: Session[]): Session | undefined {
  let best: Session | undefined;
  for (const s of sessions) if (!s.transport.active && (!best || s.lastSeen < best.lastSeen)) best = s;
  return best;
}

function rejectWire(res: ServerResponse, e: WireError): void {
  reject(res, e.status, e.code, e.message, e.headers, e.id ?? null, e.data);
}
