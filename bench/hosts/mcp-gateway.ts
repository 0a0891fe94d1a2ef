// The gateway and its HTTP surface alone, in a process of its own, so that bench clients do not
// share its event loop. Prints `READY <base url>` and runs until stdin closes.
// Run by bench/mcp-latency.ts: node --import tsx bench/hosts/mcp-gateway.ts <.mcp.json> <dataDir>
import pino from 'pino';
import { McpConfigSchema } from '../../src/config/schema.js';
import { buildHttpApp } from '../../src/http/app.js';
import { MemoryRateLimiter } from '../../src/http/rate-limit.js';
import { mcpRoutes } from '../../src/http/routes/mcp.js';
import { createMcpGateway } from '../../src/mcp/index.js';

const [configPath, dataDir] = process.argv.slice(2) as [string, string];
const logger = pino({ level: 'silent' });
const mcp = createMcpGateway({
  configPath,
  dataDir,
  logger,
  config: McpConfigSchema.parse({ reloadDebounceMs: 0 }),
});
await mcp.start();
const app = await buildHttpApp(
  {
    logger,
    bodyLimitBytes: 1 << 20,
    requestTimeoutMs: 30_000,
    authEnabled: false,
    authenticator: { authenticate: async () => undefined },
    rateLimiter: new MemoryRateLimiter(),
    rateRules: { login: { max: 10, windowSeconds: 60 }, expensive: { max: 1e9, windowSeconds: 60 } },
  },
  [mcpRoutes({ mcp })],
);
const base = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`READY ${base}\n`);

process.stdin.resume();
process.stdin.on('close', () => {
  const started = performance.now();
  void app
    .close()
    .then(() => mcp.close())
    .then(() => {
      process.stdout.write(`CLOSED ${(performance.now() - started).toFixed(0)}\n`);
      process.exit(0);
    });
});
