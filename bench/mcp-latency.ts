import { percentile } from './lib.js';
// Tool-call latency and throughput: SDK client over stdio directly (baseline) vs through the
// gateway's /mcp endpoint and REST, at 1, 8 and 32 concurrent sessions; plus cold-start time and
// gateway RSS per idle /mcp session. Run: npx tsx bench/mcp-latency.ts [secondsPerCase]
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import pino from 'pino';
import { McpConfigSchema } from '../src/config/schema.js';
import { buildHttpApp } from '../src/http/app.js';
import { MemoryRateLimiter } from '../src/http/rate-limit.js';
import { mcpRoutes } from '../src/http/routes/mcp.js';
import { createMcpGateway } from '../src/mcp/index.js';
import { BAD_SERVER } from '../test/fixtures/mcp/servers.js';

const seconds = Number(process.argv[2] ?? 2);
const CONC = [1, 8, 32];
const args = { text: 'x' };

async function run(workers: number, call: (w: number) => Promise<unknown>) {
  const lat: number[] = [];
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < end) {
        const t = performance.now();
        await call(w);
        lat.push(performance.now() - t);
      }
    }),
  );
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), rps: lat.length / seconds };
}

const fmt = (r: { p50: number; p99: number; rps: number }) =>
  `p50 ${r.p50.toFixed(3)} ms  p99 ${r.p99.toFixed(3)} ms  ${r.rps.toFixed(0)} calls/s`;

const dir = mkdtempSync(path.join(os.tmpdir(), 'sutazai-mcp-bench-'));
const configPath = path.join(dir, '.mcp.json');
writeFileSync(
  configPath,
  JSON.stringify({
    mcpServers: { echo: { command: process.execPath, args: [BAD_SERVER], maxInFlight: 64 } },
  }),
);
const mcp = createMcpGateway({
  configPath,
  dataDir: path.join(dir, 'data'),
  logger: pino({ level: 'silent' }),
  config: McpConfigSchema.parse({ reloadDebounceMs: 0 }),
});
await mcp.start();
const app = await buildHttpApp(
  {
    logger: pino({ level: 'silent' }),
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

let t = performance.now();
await mcp.gateway.callTool('echo', 'echo', args);
console.log(
  `cold start: first call to a stopped server answered in ${(performance.now() - t).toFixed(0)} ms`,
);

const direct = new Client({ name: 'bench', version: '1' });
await direct.connect(new StdioClientTransport({ command: process.execPath, args: [BAD_SERVER] }));
for (const n of CONC) {
  console.log(`\n${n} concurrent session(s)`);
  const d = await run(n, () => direct.callTool({ name: 'echo', arguments: args }));
  console.log(`  direct stdio (baseline)  ${fmt(d)}`);
  const sessions = await Promise.all(
    Array.from({ length: n }, async () => {
      const c = new Client({ name: 'bench', version: '1' });
      await c.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
      return c;
    }),
  );
  const viaMcp = await run(n, (w) => sessions[w]!.callTool({ name: 'echo__echo', arguments: args }));
  console.log(
    `  gateway /mcp             ${fmt(viaMcp)}  (+${(viaMcp.p50 - d.p50).toFixed(3)} ms p50, ${((100 * viaMcp.rps) / d.rps).toFixed(0)}% of direct)`,
  );
  const rest = await run(n, () =>
    fetch(`${base}/api/v1/mcp/servers/echo/tools/echo/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ arguments: args }),
    }).then((r) => r.json()),
  );
  console.log(
    `  gateway REST             ${fmt(rest)}  (+${(rest.p50 - d.p50).toFixed(3)} ms p50, ${((100 * rest.rps) / d.rps).toFixed(0)}% of direct)`,
  );
  const plain = await run(n, () => fetch(`${base}/api/v1/mcp/status`).then((r) => r.json()));
  console.log(
    `  HTTP floor: GET status   ${fmt(plain)}  (Fastify + fetch, no MCP call; REST/mcp cannot beat this)`,
  );
  const inproc = await run(n, () => mcp.gateway.callTool('echo', 'echo', args));
  console.log(`  gateway in-process       ${fmt(inproc)}  (+${(inproc.p50 - d.p50).toFixed(3)} ms p50)`);
  await Promise.all(sessions.map((c) => c.close()));
}

global.gc?.();
const before = process.memoryUsage().rss;
const idle = await Promise.all(
  Array.from({ length: 50 }, async () => {
    const c = new Client({ name: 'bench', version: '1' });
    await c.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    return c;
  }),
);
global.gc?.();
console.log(
  `\nRSS per idle /mcp session: ${((process.memoryUsage().rss - before) / 50 / 1024).toFixed(0)} KiB (50 sessions; includes the client side in this process)`,
);
await Promise.all(idle.map((c) => c.close()));
await direct.close();
t = performance.now();
await app.close();
await mcp.close();
console.log(`close(): ${(performance.now() - t).toFixed(0)} ms`);
process.exit(0);
