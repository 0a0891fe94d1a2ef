import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from '@modelcontextprotocol/server';
import { mcpSessions } from '../../metrics/index.js';
import type { McpGateway } from '../gateway.js';
import { NodeSessionTransport, reject } from './http-transport.js';
import { buildSessionServer } from './mcp-server.js';
import { initializeProblem, readBody, type WireError } from './wire.js';
import type { NameTable } from './names.js';

interface Session {
  id: string;
  scope: string | null;
  transport: NodeSessionTransport;
  server: Server;
  lastSeen: number;
}

/**
 * The /mcp client sessions: one SDK Server + Streamable HTTP transport per session, capped and
 * expired when idle. list_changed from any upstream is forwarded to every session that can see it.
 */
export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly listener = (kind: string, server: string) => this.broadcast(kind, server);

  constructor(
    private readonly gateway: McpGateway,
    private readonly names: NameTable,
  ) {
    this.sweeper = setInterval(() => void this.sweep(), Math.min(gateway.config.sessionIdleMs, 60_000));
    this.sweeper.unref();
    gateway.listeners.add(this.listener);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Handles one HTTP request for `/mcp` (scope null) or `/mcp/{server}`; `raw` is a POST's bytes. */
  async handle(scope: string | null, req: IncomingMessage, res: ServerResponse, raw: unknown): Promise<void> {
    const read = readBody(req, raw);
    if ('status' in read) return rejectWire(res, read);
    const body = read.body;
    const header = req.headers['mcp-session-id'];
    const id = Array.isArray(header) ? header[0] : header;
    if (id) {
      const session = this.sessions.get(id);
      if (!session || session.scope !== scope) return reject(res, 404, -32001, 'Session not found');
      session.lastSeen = Date.now();
      return session.transport.handle(req, res, body);
    }
    if (req.method !== 'POST') return reject(res, 400, -32000, 'Bad Request: No valid session ID provided');
    const problem = initializeProblem(body);
    if (problem) return rejectWire(res, problem);
    if (this.sessions.size >= this.gateway.config.maxSessions) {
      await this.sweep();
      if (this.sessions.size >= this.gateway.config.maxSessions)
        return reject(res, 503, -32000, 'Too many MCP sessions; retry later', { 'retry-after': '5' });
    }
    await this.open(scope, req, res, body);
  }

  private async open(
    scope: string | null,
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
  ): Promise<void> {
    const sessionId = randomUUID();
    const transport = new NodeSessionTransport(sessionId);
    const server = buildSessionServer(this.gateway, this.names, scope, sessionId);
    const session: Session = { id: sessionId, scope, transport, server, lastSeen: Date.now() };
    transport.onclose = () => this.forget(sessionId);
    await server.connect(transport);
    this.sessions.set(sessionId, session);
    mcpSessions.set(this.sessions.size);
    transport.handle(req, res, body);
    if (!transport.sessionId) await this.drop(sessionId); // not an initialize request
  }

  private forget(id: string): void {
    if (this.sessions.delete(id)) mcpSessions.set(this.sessions.size);
  }

  private async drop(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) return;
    this.forget(id);
    await s.server.close().catch(() => {});
  }

  private async sweep(): Promise<void> {
    const cutoff = Date.now() - this.gateway.config.sessionIdleMs;
    for (const s of [...this.sessions.values()]) if (s.lastSeen < cutoff) await this.drop(s.id);
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
    await Promise.all([...this.sessions.keys()].map((id) => this.drop(id)));
  }
}

function rejectWire(res: ServerResponse, e: WireError): void {
  reject(res, e.status, e.code, e.message, e.headers, e.id ?? null);
}
