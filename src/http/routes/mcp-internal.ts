import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SutazaiError } from '../../errors.js';
import {
  GATEWAY_TOKEN_HEADER,
  INTERNAL_CALL_PATH,
  INTERNAL_TOOLS_PATH,
  mcpErrorToSutazai,
} from '../../mcp/index.js';
import type { ToolProvider } from '../../tools/types.js';
import type { RouteModule } from '../app.js';

export interface McpInternalRouteDeps {
  /** The in-process MCP tools (McpToolProvider). */
  tools: ToolProvider;
  /** The internal credential (mcp.gatewayToken). */
  token: string;
}

const CallBody = z.strictObject({
  name: z.string().min(1).max(64),
  arguments: z.record(z.string(), z.unknown()).default({}),
  timeoutMs: z.number().int().positive().max(3_600_000).optional(),
});

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The gateway role's tool routes for api and worker processes (decision 0066). They accept the
 * internal credential and nothing else; the credential opens nothing but these two routes (the
 * authenticator does not know it), so a leaked one can list and call MCP tools, no more.
 */
export function mcpInternalRoutes(deps: McpInternalRouteDeps): RouteModule {
  const expected = digest(deps.token);
  const checkCredential = async (req: FastifyRequest) => {
    const given = req.headers[GATEWAY_TOKEN_HEADER];
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected))
      throw new SutazaiError('SUTAZAI_ERR_MCP_GATEWAY_CREDENTIAL');
  };
  // Authentication is this route's own: `public` only tells the user authenticator to stay out.
  const internal = { access: 'public' as const };
  return (app) => {
    app.get(
      INTERNAL_TOOLS_PATH,
      { config: internal, preHandler: checkCredential, schema: { hide: true } },
      async () => ({ tools: await deps.tools.listTools() }),
    );
    app.post(
      INTERNAL_CALL_PATH,
      { config: internal, preHandler: checkCredential, schema: { hide: true, body: CallBody } },
      async (req) => {
        try {
          return await deps.tools.callTool(req.body.name, req.body.arguments, {
            ...(req.body.timeoutMs ? { timeoutMs: req.body.timeoutMs } : {}),
          });
        } catch (err) {
          throw mcpErrorToSutazai(err);
        }
      },
    );
  };
}
