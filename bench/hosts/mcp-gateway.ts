// The gateway and its HTTP surface alone, in a process of its own, so that bench clients do not
// share its event loop. Prints `READY <base url>` and runs until stdin closes.
// Run by bench/mcp-latency.ts: node --import tsx bench/hosts/mcp-gateway.ts <.mcp.json> <dataDir>
// [--no-fast-path]: every tools/call through the SDK server (bench/mcp-fast-path.ts compares).
import pino from 'pino';
import { McpConfigSchema } from '../../src/config/schema.js';
import { DirectCalls } from '../../src/mcp/aggregate/direct-calls.js';
import { createMcpGateway } from '../../src/mcp/index.js';
import { mcpApp } from '../../test/integration/mcp/app.js';

const [configPath, dataDir] = process.argv.slice(2) as [string, string];
const logger = pino({ level: 'silent' });
if (process.argv.includes('--no-fast-path')) DirectCalls.prototype.accepts = () => false;
const mcp = createMcpGateway({
  configPath,
  dataDir,
  logger,
  // Benches open up to 32 SDK and 32 lean sessions from one (unauthenticated) principal; the
  // per-principal cap of 32 would evict the first ones mid-run ("Session not found").
  config: McpConfigSchema.parse({ reloadDebounceMs: 0, maxSessionsPerPrincipal: 1000 }),
});
await mcp.start();
const app = await mcpApp(mcp, 1e9);
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
