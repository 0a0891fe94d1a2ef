import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { ClientCapabilities, McpHttpHandler } from '@modelcontextprotocol/server';
import type { McpGateway } from '../gateway.js';
import { knownCapabilities, scopeServers } from './capabilities.js';
import type { PendingInputs } from './input-required.js';
import { ModernPassthrough } from './modern-passthrough.js';
import type { NameTable } from './names.js';

const CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';
/** The instance key stateless requests use on per-session servers (as REST and agents do). */
const STATELESS_KEY = 'default';

/**
 * Protocol revision 2026-07-28 without sessions (issue 15, item 6; decision 0041): a request that
 * carries no session and is not a 2025-era message is served by the SDK's per-request handler
 * (`createMcpHandler`) in front of the same gateway server a session gets, built afresh for the
 * request. 2025-era requests without a session keep their answer (400: initialize first).
 * An upstream's server-to-client request during such a request becomes its `input_required`
 * result, and the client's retry its answer (`inputs`; decision 0071).
 */
export class StatelessMcp {
  private readonly handlers = new Map<string, McpHttpHandler>();
  private readonly passthrough: ModernPassthrough;

  constructor(
    private readonly gateway: McpGateway,
    private readonly names: NameTable,
    private readonly inputs: () => Promise<PendingInputs>,
  ) {
    this.passthrough = new ModernPassthrough(gateway);
  }

  /** Serves `req` if it is a 2026-07-28 request; false (nothing written) if it is 2025-era. */
  async handle(
    scope: string | null,
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    principal: string,
  ): Promise<boolean> {
    const { isLegacyRequest } = await import('@modelcontextprotocol/server');
    const request = toWebRequest(req, body);
    if (await isLegacyRequest(request)) return false;
    // A remote server that speaks the revision itself answers it (input_required and all).
    if (scope && (await this.passthrough.handle(scope, req, res, body))) return true;
    await this.gateway.learnCapabilities(scopeServers(this.gateway, scope), STATELESS_KEY);
    const handler = await this.handler(scope);
    // The principal reaches the per-request server as the request's auth info (input-required.ts).
    const authInfo = { token: '', clientId: principal, scopes: [] };
    const response = await handler.fetch(request, { parsedBody: body, authInfo });
    await writeResponse(res, response);
    return true;
  }

  private async handler(scope: string | null): Promise<McpHttpHandler> {
    const key = scope ?? '';
    let handler = this.handlers.get(key);
    if (!handler) {
      const { createMcpHandler } = await import('@modelcontextprotocol/server');
      const { buildSessionServer, NO_HOOKS } = await import('./mcp-server.js');
      const inputs = await this.inputs();
      const server = () =>
        buildSessionServer(
          this.gateway,
          this.names,
          scope,
          STATELESS_KEY,
          knownCapabilities(this.gateway, scope),
          {
            ...NO_HOOKS,
            roundTrip: (ctx, fingerprint, run) =>
              inputs.run(
                {
                  principal: ctx.http?.authInfo?.clientId ?? '',
                  fingerprint: `${key}\0${fingerprint}`, // not honoured on another endpoint
                  capabilities: clientCapabilities(ctx.mcpReq.envelope),
                  ...(ctx.mcpReq.requestState() === undefined
                    ? {}
                    : { requestState: String(ctx.mcpReq.requestState()) }),
                  ...(ctx.mcpReq.inputResponses ? { inputResponses: ctx.mcpReq.inputResponses } : {}),
                  signal: ctx.mcpReq.signal,
                },
                run,
              ),
          },
        );
      handler = createMcpHandler(server, {
        legacy: 'reject',
      });
      this.handlers.set(key, handler);
    }
    return handler;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.handlers.values()].map((h) => h.close()));
    this.handlers.clear();
  }
}

/** What the client declared in the request's `_meta` envelope (the revision has no initialize). */
function clientCapabilities(envelope: object | undefined): ClientCapabilities {
  const declared = (envelope as Record<string, unknown> | undefined)?.[CLIENT_CAPABILITIES];
  return declared && typeof declared === 'object' ? (declared as ClientCapabilities) : {};
}

function toWebRequest(req: IncomingMessage, body: unknown): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  headers.delete('content-length');
  const url = `http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/mcp'}`;
  return new Request(url, { method: req.method ?? 'POST', headers, body: JSON.stringify(body) });
}

async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const stream = Readable.fromWeb(response.body as never);
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}
