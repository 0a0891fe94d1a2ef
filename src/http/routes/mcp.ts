import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RouteModule } from '../app.js';
import type { Access } from '../types.js';
import { mcpErrorToSutazai, type McpGatewayHandle, type ServerStatus } from '../../mcp/index.js';

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

const doc = (summary: string) => ({ schema: { summary } });

const isAdmin = (req: FastifyRequest): boolean => req.principal?.role === 'admin';

/** What a non-admin may see of a server: no stderr (it carries paths, env echoes, secrets). */
function forUser(server: ServerStatus): Omit<ServerStatus, 'stderr'> {
  const { stderr: _stderr, ...rest } = server;
  return rest;
}

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
    // Server details (stderr, config path and problems) are for admins; users see states and tools.
    const visible = (req: FastifyRequest, list: ServerStatus[]) => (isAdmin(req) ? list : list.map(forUser));
    app.get('/api/v1/mcp/servers', doc('Declared MCP servers and their state'), async (req) => ({
      servers: visible(req, mcp.servers()),
    }));
    app.get('/api/v1/mcp/status', doc('Gateway summary: servers, processes, sessions'), async (req) => {
      const status = mcp.status();
      if (isAdmin(req)) return status;
      const { configPath: _path, problems: _problems, ...rest } = status;
      return rest;
    });
    app.get('/api/v1/mcp/health', doc('Health of every enabled MCP server'), async (_req, reply) => {
      const servers = gw
        .serverNames()
        .filter((n) => gw.runtime(n).spec.enabled)
        .map((n) => ({ name: n, ...gw.health(n) }));
      const healthy = servers.every((s) => s.healthy);
      return reply.status(200).send({ healthy, servers });
    });
    app.get(
      '/api/v1/mcp/servers/:name',
      { schema: { summary: 'One MCP server and its state', params: ServerParams } },
      async (req) =>
        mapped(async () => {
          // Resolve the name first: an unknown server is a 404, not an empty answer.
          const name = gw.runtime(req.params.name).spec.name;
          return visible(req, mcp.servers()).find((s) => s.name === name);
        }),
    );
    app.get(
      '/api/v1/mcp/servers/:name/tools',
      { schema: { summary: 'Tools of one MCP server (after allow/deny rules)', params: ServerParams } },
      async (req) => mapped(async () => ({ tools: await gw.listTools(req.params.name) })),
    );
    app.post(
      '/api/v1/mcp/servers/:name/tools/:tool/call',
      {
        schema: { summary: 'Call one tool of one MCP server', params: ToolParams, body: CallBody },
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
      {
        schema: { summary: 'Send one allowed MCP method to a server (passthrough)', body: ExecuteBody },
        config: { access: callAccess, rateLimit: 'expensive' },
      },
      async (req) =>
        mapped(async () => ({
          result: await gw.execute(req.body.server, req.body.method, req.body.params, {
            ...(req.body.timeout ? { timeoutMs: req.body.timeout } : {}),
          }),
        })),
    );
    app.post(
      '/api/v1/mcp/servers/:name/restart',
      {
        schema: { summary: 'Restart an MCP server (admin)', params: ServerParams },
        config: { access: 'admin' },
      },
      async (req, reply) => {
        await mapped(() => gw.restart(req.params.name));
        return reply.status(202).send({ restarted: req.params.name });
      },
    );
    app.get(
      '/api/v1/mcp/servers/:name/stderr',
      {
        schema: {
          summary: "The server's stderr tail: the supervisor's bounded ring, oldest first (admin)",
          params: ServerParams,
          response: { 200: z.object({ lines: z.array(z.string()) }) },
        },
        // stderr carries paths, env echoes and secrets: admins only, like the server details.
        config: { access: 'admin' },
      },
      async (req) => mapped(async () => ({ lines: gw.runtime(req.params.name).stderr.tail() })),
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
        schema: { summary: 'Aggregated MCP endpoint (Streamable HTTP): every server, names prefixed' },
        config: { access: 'user' },
        handler: handler(() => null),
      });
      scope.route({
        method: [...methods],
        url: '/mcp/:server',
        schema: { summary: 'MCP endpoint (Streamable HTTP) scoped to one server' },
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
