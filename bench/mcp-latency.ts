// Tool-call latency and throughput: the SDK client over stdio straight to the server (baseline)
// against the same client through the gateway's /mcp endpoint and its REST call route, at 1, 8
// and 32 concurrent sessions; cold-start time; gateway RSS per idle /mcp session; close() time.
// The gateway runs in a process of its own (bench/hosts/mcp-gateway.ts), as it does in
// production, so the figures do not charge it for its clients' work.
// Run: npx tsx bench/mcp-latency.ts [secondsPerCase] [--server=everything] [--cpu-prof]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import pino from 'pino';
import { McpConfigSchema } from '../src/config/schema.js';
import { createMcpGateway } from '../src/mcp/index.js';
import { BAD_SERVER, EVERYTHING } from '../test/fixtures/mcp/servers.js';
import { leanPost as post } from './lean-http.js';
import { percentile } from './lib.js';

// The SDK's HTTP client passes one long-lived AbortSignal to every fetch of a session, and undici
// lets go of its listeners only at GC: a client-side warning, not the gateway's, so it is muted.
process.removeAllListeners('warning');
process.on('warning', (w) => w.name !== 'MaxListenersExceededWarning' && console.warn(w));
const seconds = Number(process.argv[2] ?? 2);
const cpuProf = process.argv.includes('--cpu-prof');
const CONC = [1, 8, 32];
// The fixture's echo is the cheapest tool there is (the worst case for a gateway's share);
// --server=everything uses @modelcontextprotocol/server-everything's echo, a real npm server.
const everything = process.argv.includes('--server=everything');
const args = everything ? { message: 'x' } : { text: 'x' };
type Figures = { p50: number; p99: number; rps: number; hostCpuUs: number; clientCpuUs: number };
let hostPid = 0;
/** CPU time (user + system) a process has used, in microseconds; /proc counts 100 ticks a second. */
const cpuUs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
};

async function run(workers: number, call: (w: number) => Promise<unknown>): Promise<Figures> {
  for (let w = 0; w < workers; w++) await call(w); // warm every session before timing
  const lat: number[] = [];
  const host0 = cpuUs(hostPid);
  const client0 = process.cpuUsage();
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
  const client = process.cpuUsage(client0);
  return {
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    rps: lat.length / seconds,
    hostCpuUs: (cpuUs(hostPid) - host0) / lat.length,
    clientCpuUs: (client.user + client.system) / lat.length,
  };
}

const fmt = (r: Figures) =>
  `p50 ${r.p50.toFixed(3)} ms  p99 ${r.p99.toFixed(3)} ms  ${r.rps.toFixed(0).padStart(6)} calls/s  CPU/call: gateway ${r.hostCpuUs.toFixed(0)} µs, client ${r.clientCpuUs.toFixed(0)} µs`;
const against = (r: Figures, d: Figures) =>
  `${fmt(r)}  (+${(r.p50 - d.p50).toFixed(3)} ms p50, ${((100 * r.rps) / d.rps).toFixed(0)}% of direct)`;

const dir = mkdtempSync(path.join(os.tmpdir(), 'sutazai-mcp-bench-'));
const configPath = path.join(dir, '.mcp.json');
const echo = { command: process.execPath, args: [everything ? EVERYTHING : BAD_SERVER] };
writeFileSync(configPath, JSON.stringify({ mcpServers: { echo: { ...echo, maxInFlight: 64 } } }));

const host = spawn(
  process.execPath,
  [
    ...(cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []),
    '--import',
    'tsx',
    'bench/hosts/mcp-gateway.ts',
    configPath,
    path.join(dir, 'data'),
  ],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
process.on('exit', () => host.kill('SIGKILL'));
const [ready] = (await once(host.stdout!, 'data')) as [Buffer];
hostPid = host.pid!;
const base = /READY (\S+)/.exec(ready.toString())![1]!;
const rssKiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${host.pid}/status`, 'utf8'))![1]);

const restCall = () =>
  fetch(`${base}/api/v1/mcp/servers/echo/tools/echo/call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ arguments: args }),
  }).then((r) => r.json());
// A lean client (node:http, keep-alive, no SDK) shows what the gateway adds without charging it
// for the SDK client's own ~1 ms of CPU per HTTP call on this machine.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const leanPost = (pathname: string, body: unknown, headers: Record<string, string> = {}) =>
  post(agent, `${base}${pathname}`, body, headers);
const MCP_HEADERS = { accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' };
interface LeanSession {
  call(): Promise<unknown>;
  close(): Promise<unknown>;
}
async function leanSession(): Promise<LeanSession> {
  const init = await leanPost(
    '/mcp',
    {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'lean', version: '1' } },
    },
    MCP_HEADERS,
  );
  const headers = { ...MCP_HEADERS, 'mcp-session-id': String(init.headers['mcp-session-id']) };
  await leanPost('/mcp', { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
  let id = 0;
  const call = { jsonrpc: '2.0', method: 'tools/call', params: { name: 'echo__echo', arguments: args } };
  return {
    call: () => leanPost('/mcp', { ...call, id: ++id }, headers).then((r) => JSON.parse(r.body)),
    close: () => fetch(`${base}/mcp`, { method: 'DELETE', headers }),
  };
}
const leanRest = () =>
  leanPost('/api/v1/mcp/servers/echo/tools/echo/call', { arguments: args }).then((r) => JSON.parse(r.body));
const leanFloor = () =>
  new Promise((resolve, reject) =>
    http
      .get(`${base}/api/v1/mcp/status`, { agent }, (res) => res.resume().on('end', resolve))
      .on('error', reject),
  );

const openSession = async () => {
  const c = new Client({ name: 'bench', version: '1' });
  await c.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
  return c;
};

const t = performance.now();
await restCall();
console.log(
  `cold start: first call to a stopped server answered in ${(performance.now() - t).toFixed(0)} ms`,
);

// The supervisor and upstream client alone, in this process: what the gateway adds before HTTP.
const inProcess = createMcpGateway({
  configPath,
  dataDir: path.join(dir, 'data-in-process'),
  logger: pino({ level: 'silent' }),
  config: McpConfigSchema.parse({ reloadDebounceMs: 0 }),
});
await inProcess.start();
await inProcess.gateway.callTool('echo', 'echo', args);
const direct = new Client({ name: 'bench', version: '1' });
await direct.connect(new StdioClientTransport(echo));
{
  // Warm the JIT of all three processes on every path before anything is timed.
  const warm = await Promise.all(Array.from({ length: 8 }, openSession));
  const leanWarm = await Promise.all(Array.from({ length: 8 }, leanSession));
  await run(8, () => direct.callTool({ name: 'echo', arguments: args }));
  await run(8, () => inProcess.gateway.callTool('echo', 'echo', args));
  await run(8, (w) => warm[w]!.callTool({ name: 'echo__echo', arguments: args }));
  await run(8, (w) => leanWarm[w]!.call());
  await run(8, restCall);
  await run(8, leanRest);
  await Promise.all([...warm, ...leanWarm].map((c) => c.close()));
}
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
for (const n of CONC) {
  console.log(`\n${n} concurrent session(s)`);
  if (only) {
    const leans = await Promise.all(Array.from({ length: n }, leanSession));
    const cases: Record<string, (w: number) => Promise<unknown>> = {
      mcp: (w) => leans[w]!.call(),
      rest: leanRest,
      floor: leanFloor,
    };
    console.log(`  ${only}: ${fmt(await run(n, cases[only]!))}`);
    await Promise.all(leans.map((c) => c.close()));
    continue;
  }
  const d = await run(n, () => direct.callTool({ name: 'echo', arguments: args }));
  console.log(`  direct stdio (baseline)  ${fmt(d)}`);
  const core = await run(n, () => inProcess.gateway.callTool('echo', 'echo', args));
  console.log(`  gateway core, no HTTP    ${against(core, d)}  (in this process; "client" CPU includes it)`);
  const sessions = await Promise.all(Array.from({ length: n }, openSession));
  const viaMcp = await run(n, (w) => sessions[w]!.callTool({ name: 'echo__echo', arguments: args }));
  console.log(`  gateway /mcp             ${against(viaMcp, d)}`);
  console.log(`  gateway REST             ${against(await run(n, restCall), d)}`);
  const floor = await run(n, () => fetch(`${base}/api/v1/mcp/status`).then((r) => r.json()));
  console.log(`  HTTP floor: GET status   ${against(floor, d)}  (no MCP call: what any HTTP hop costs)`);
  const leans = await Promise.all(Array.from({ length: n }, leanSession));
  console.log(`  lean client: /mcp        ${against(await run(n, (w) => leans[w]!.call()), d)}`);
  console.log(`  lean client: REST        ${against(await run(n, leanRest), d)}`);
  console.log(`  lean client: HTTP floor  ${against(await run(n, leanFloor), d)}`);
  await Promise.all([...sessions, ...leans].map((c) => c.close()));
}
await direct.close();
await inProcess.close();

const IDLE = 200;
const before = rssKiB();
const idle = await Promise.all(Array.from({ length: IDLE }, openSession));
await new Promise((r) => setTimeout(r, 500));
console.log(
  `\ngateway RSS per idle /mcp session: ${((rssKiB() - before) / IDLE).toFixed(1)} KiB (${IDLE} sessions, /proc/${host.pid}/status VmRSS)`,
);
host.stdin!.end(); // close() with the idle sessions still open
const [closed] = (await once(host.stdout!, 'data')) as [Buffer];
console.log(`gateway close() with ${IDLE} open sessions: ${/CLOSED (\d+)/.exec(closed.toString())?.[1]} ms`);
await Promise.all(idle.map((c) => c.close().catch(() => {})));
await once(host, 'exit');
if (cpuProf) console.log(`CPU profile of the gateway process in ${dir}`);
process.exit(0);
