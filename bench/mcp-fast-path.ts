// The /mcp tools/call fast path (decision 0072) against the SDK server's dispatch, A/B in one
// run: two gateway hosts (bench/hosts/mcp-gateway.ts, one with --no-fast-path) in front of the
// same fixture server, a lean client (node:http, keep-alive) on each, rounds alternating between
// them so both see the same machine load. Prints p50 and the host's CPU per call, medians of
// the rounds, and the same for the REST call route (the floor the fast path aims at).
// Run: npx tsx bench/mcp-fast-path.ts [rounds=10] [callsPerRound=300] [sessions=1]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { BAD_SERVER } from '../test/fixtures/mcp/servers.js';
import { leanPost } from './lean-http.js';
import { percentile } from './lib.js';

const ROUNDS = Number(process.argv[2] ?? 10);
const CALLS = Number(process.argv[3] ?? 300);
const SESSIONS = Number(process.argv[4] ?? 1);
const dir = mkdtempSync(path.join(os.tmpdir(), 'sutazai-mcp-fast-'));
const configPath = path.join(dir, '.mcp.json');
const echo = { command: process.execPath, args: [BAD_SERVER], maxInFlight: 64 };
writeFileSync(configPath, JSON.stringify({ mcpServers: { echo } }));
const cpuUs = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000;
};
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

async function host(flags: string[]) {
  const data = mkdtempSync(path.join(dir, 'data-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/hosts/mcp-gateway.ts', configPath, data, ...flags],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  process.on('exit', () => child.kill('SIGKILL'));
  const [ready] = (await once(child.stdout!, 'data')) as [Buffer];
  return { pid: child.pid!, base: /READY (\S+)/.exec(ready.toString())![1]! };
}

const post = (url: string, body: unknown, headers: Record<string, string>) =>
  leanPost(agent, url, body, headers);

const MCP = { accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' };
async function mcpCaller(base: string): Promise<() => Promise<unknown>> {
  const init = {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'lean', version: '1' },
  };
  const r = await post(`${base}/mcp`, { jsonrpc: '2.0', id: 0, method: 'initialize', params: init }, MCP);
  const headers = { ...MCP, 'mcp-session-id': String(r.headers['mcp-session-id']) };
  await post(`${base}/mcp`, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
  let id = 0;
  const params = { name: 'echo__echo', arguments: { text: 'x' } };
  return () => post(`${base}/mcp`, { jsonrpc: '2.0', id: ++id, method: 'tools/call', params }, headers);
}
const restCaller = (base: string) => () =>
  post(`${base}/api/v1/mcp/servers/echo/tools/echo/call`, { arguments: { text: 'x' } }, {});

/** One round: SESSIONS callers, CALLS calls each; p50 (ms) and the host's CPU per call (µs). */
async function round(pid: number, callers: Array<() => Promise<unknown>>) {
  const lat: number[] = [];
  const cpu0 = cpuUs(pid);
  await Promise.all(
    callers.map(async (call) => {
      for (let i = 0; i < CALLS; i++) {
        const t = performance.now();
        await call();
        lat.push(performance.now() - t);
      }
    }),
  );
  return { p50: percentile(lat, 50), cpu: (cpuUs(pid) - cpu0) / lat.length };
}

const [fast, slow] = [await host([]), await host(['--no-fast-path'])];
const cases = [
  {
    name: '/mcp fast path',
    pid: fast.pid,
    callers: await Promise.all(Array.from({ length: SESSIONS }, () => mcpCaller(fast.base))),
  },
  {
    name: '/mcp via SDK server',
    pid: slow.pid,
    callers: await Promise.all(Array.from({ length: SESSIONS }, () => mcpCaller(slow.base))),
  },
  {
    name: 'REST call route',
    pid: fast.pid,
    callers: Array.from({ length: SESSIONS }, () => restCaller(fast.base)),
  },
];
for (const c of cases) await round(c.pid, c.callers); // warm the JIT of both hosts
const results = cases.map(() => ({ p50: [] as number[], cpu: [] as number[] }));
for (let r = 0; r < ROUNDS; r++)
  for (const [i, c] of cases.entries()) {
    const x = await round(c.pid, c.callers);
    results[i]!.p50.push(x.p50);
    results[i]!.cpu.push(x.cpu);
  }
console.log(`${SESSIONS} session(s), ${ROUNDS} alternating rounds of ${CALLS} calls per session, medians:`);
for (const [i, c] of cases.entries())
  console.log(
    `  ${c.name.padEnd(20)} p50 ${percentile(results[i]!.p50, 50).toFixed(3)} ms  gateway CPU/call ${percentile(results[i]!.cpu, 50).toFixed(0)} µs`,
  );
process.exit(0);
