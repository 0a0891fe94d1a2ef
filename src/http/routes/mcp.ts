import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RouteModule } from '../app.js';
import type { Access } from '../types.js';
import { mcpErrorToSutazai, type McpGatewayHandle } from '../../mcp/index.js';

export interface McpRouteDeps {
  mcp: McpGatewayHandle;
  /** When true, tool calls (REST call and execute tools/call) need the admin role. */
  callsNeedAdmin?: boolean;
}

const ServerParams = z.strictObject({ name: z.string().min(1).max(64) });
const ToolParams = z.strictObject({ name: z.string().min(1).max(64), tool: z.string().min(1).max(256) });
const CallBody = z.strictObject({
  arguments: z.record(z.string(), z.unknown()).default({}),
  timeoutMs: z.number().int().positive().max(3_600_000).optional(),
});
const ExecuteBody = z.strictObject({
  server: z.string().min(1).max(64),
  method: z.string().min(1).max(64),
  params: z.record(z.string(), z.unknown()).optional(),
  /** Milliseconds; the seed's field name. */
  timeout: z.number().int().positive().max(3_600_000).optional(),
});

async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw mcpErrorToSutazai(err);
  }
}

/**
 * REST over the gateway (`/api/v1/mcp/*`) and the MCP endpoints (`/mcp`, `/mcp/{server}`).
 * Reads are `user`; restart is `admin`; tool calls are `user` unless `callsNeedAdmin`.
 */
export function mcpRoutes(deps: McpRouteDeps): RouteModule {
  const { mcp } = deps;
  const gw = mcp.gateway;
  const callAccess: Access = deps.callsNeedAdmin ? 'admin' : 'user';
  return async (app) => {
    // Open /mcp event streams are requests that never end on their own; without this, closing
    // the HTTP server waits for every connected client to leave.
    app.addHook('preClose', () => mcp.sessions.close());
    app.get('/api/v1/mcp/servers', async () => ({ servers: mcp.servers() }));
    app.get('/api/v1/mcp/status', async () => mcp.status());
    app.get('/api/v1/mcp/health', async (_req, reply) => {
      const servers = gw
        .serverNames()
        .filter((n) => gw.runtime(n).spec.enabled)
        .map((n) => ({ name: n, ...gw.health(n) }));
      const healthy = servers.every((s) => s.healthy);
      return reply.status(200).send({ healthy, servers });
    });
    app.get('/api/v1/mcp/servers/:name', { schema: { params: ServerParams } }, async (req) =>
      mapped(async () => mcp.servers().find((s) => s.name === gw.runtime(req.params.name).spec.name)),
    );
    app.get('/api/v1/mcp/servers/:name/tools', { schema: { params: ServerParams } }, async (req) =>
      mapped(async () => ({ tools: await gw.listTools(req.params.name) })),
    );
    app.post(
      '/api/v1/mcp/servers/:name/tools/:tool/call',
      {
        schema: { params: ToolParams, body: CallBody },
        config: { access: callAccess, rateLimit: 'expensive' },
      },
      async (req) =>
        mapped(() =>
          gw.callTool(req.params.name, req.params.tool, req.body.arguments, {
            ...(req.body.timeoutMs ? { timeoutMs: req.body.timeoutMs } : {}),
          }),
        ),
    );
    app.post(
      '/api/v1/mcp/execute',
      { schema: { body: ExecuteBody }, config: { access: callAccess, rateLimit: 'expensive' } },
      async (req) =>
        mapped(async () => ({
          result: await gw.execute(req.body.server, req.body.method, req.body.params, {
            ...(req.body.timeout ? { timeoutMs: req.body.timeout } : {}),
          }),
        })),
    );
    app.post(
      '/api/v1/mcp/servers/:name/restart',
      { schema: { params: ServerParams }, config: { access: 'admin' } },
      async (req, reply) => {
        await mapped(() => gw.restart(req.params.name));
        return reply.status(202).send({ restarted: req.params.name });
      },
    );
    // The MCP endpoints speak JSON-RPC even when they refuse: their bodies arrive as bytes (the
    // session manager answers 415 and -32700 itself) and their errors keep the JSON-RPC shape.
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
      scope.setErrorHandler((err, _req, reply) => {
        const status = (err as { statusCode?: number }).statusCode;
        const code = (err as { code?: string }).code ?? '';
        if (!code.startsWith('FST_ERR_CTP') || status === undefined) throw err;
        return reply.status(status).send({
          jsonrpc: '2.0',
          id: null,
          error: { code: status === 413 ? -32600 : -32700, message: (err as Error).message },
        });
      });
      const handler =
        (serverOf: (p: unknown) => string | null) => async (req: FastifyRequest, reply: FastifyReply) => {
          const s = serverOf(req.params);
          if (s !== null && !gw.supervisor.get(s)) {
            reply.hijack();
            return rejectUnknownServer(reply, s);
          }
          reply.hijack();
          await mcp.sessions.handle(s, req.raw, reply.raw, req.body, principalKey(req));
        };
      // Every method reaches the handler, so the ones MCP does not use get 405 with Allow.
      const methods = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH'] as const;
      scope.route({
        method: [...methods],
        url: '/mcp',
        config: { access: 'user' },
        handler: handler(() => null),
      });
      scope.route({
        method: [...methods],
        url: '/mcp/:server',
        config: { access: 'user' },
        handler: handler((p) => (p as { server: string }).server),
      });
    });
  };
}

function rejectUnknownServer(reply: FastifyReply, server: string): void {
  reply.raw.writeHead(404, { 'content-type': 'application/json' });
  reply.raw.end(
    JSON.stringify({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32001,
        message: `MCP server ${server} is not declared (GET /api/v1/mcp/servers lists them)`,
      },
    }),
  );
}

/** Whose /mcp sessions these are, for the per-principal cap: the API key or user, else the address. */
function principalKey(req: FastifyRequest): string {
  const p = req.principal;
  return p && p.kind !== 'anonymous' ? `${p.kind}:${p.id}` : `ip:${req.ip}`;
}
