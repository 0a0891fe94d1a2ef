import { buildHttpApp } from '../../../src/http/app.js';
import { MemoryRateLimiter } from '../../../src/http/rate-limit.js';
import type { App } from '../../../src/http/types.js';
import { mcpRoutes } from '../../../src/http/routes/mcp.js';
import type { McpGatewayHandle } from '../../../src/mcp/index.js';
import { quietLogger } from '../../fixtures/mcp/quiet-logger.js';

/** The HTTP app with only the MCP routes, auth disabled (loopback). Benches lift the call limit. */
export function mcpApp(mcp: McpGatewayHandle, expensivePerMinute = 100_000): Promise<App> {
  return buildHttpApp(
    {
      logger: quietLogger,
      bodyLimitBytes: 1024 * 1024,
      requestTimeoutMs: 30_000,
      authEnabled: false,
      authenticator: { authenticate: async () => undefined },
      rateLimiter: new MemoryRateLimiter(),
      rateRules: {
        login: { max: 10, windowSeconds: 60 },
        expensive: { max: expensivePerMinute, windowSeconds: 60 },
      },
    },
    [mcpRoutes({ mcp })],
  );
}
