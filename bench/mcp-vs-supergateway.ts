// Tool-call throughput and p50 through the gateway (/mcp/{server} and /mcp) next to supergateway
// 4.0.0 (a bench-only devDependency, stdio → Streamable HTTP, stateful) in front of the same
// stdio server (server-everything's echo), in the same run, with the SDK client at 1, 8 and 32
// sessions; and the RSS of each whole process tree with 32 sessions open (issue 15, figures).
// Each case: every session makes CALLS calls in a row; REPS repetitions, the targets in a rotated order
// each time with every target's sessions open; medians.
// Run: npx tsx bench/mcp-vs-supergateway.ts [callsPerSession=200] [reps=4]
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { treeRssBytes } from '../src/mcp/process/proc.js';
import { EVERYTHING } from '../test/fixtures/mcp/servers.js';
import { percentile } from './lib.js';

process.removeAllListeners('warning');
const CALLS = Number(process.argv[2] ?? 200);
const REPS = Number(process.argv[3] ?? 4);
const CONC = [1, 8, 32];
const median = (xs: number[]) => percentile(xs, 50);

const children: ChildProcess[] = [];
const killAll = () => {
  for (const c of children)
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
};
process.on('exit', killAll);

function start(args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'ignore'], detached: true, env });
  children.push(child);
  return child;
}

async function freePort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

async function waitUp(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(url, { method: 'GET' }).then(
      () => true,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

// --- the gateway, in a process of its own (as in production) ---------------------------------
const dir = mkdtempSync(path.join(os.tmpdir(), 'sutazai-mcp-sg-bench-'));
const configPath = path.join(dir, '.mcp.json');
writeFileSync(
  configPath,
  JSON.stringify({
    mcpServers: { echo: { command: process.execPath, args: [EVERYTHING], maxInFlight: 64 } },
  }),
);
const host = start(['--import', 'tsx', 'bench/hosts/mcp-gateway.ts', configPath, path.join(dir, 'data')]);
const [ready] = (await once(host.stdout!, 'data')) as [Buffer];
const base = /READY (\S+)/.exec(ready.toString())![1]!;

// --- supergateway 4.0.0 in front of the same server --------------------------------------------
const sgPort = await freePort();
const sg = start([
  'node_modules/supergateway/dist/index.js',
  '--stdio',
  `${process.execPath} ${EVERYTHING}`,
  '--outputTransport',
  'streamableHttp',
  '--stateful',
  '--port',
  String(sgPort),
  '--logLevel',
  'none',
]);
sg.stdout!.resume();
await waitUp(`http://127.0.0.1:${sgPort}/mcp`);

const targets = [
  { name: 'gateway /mcp/echo', url: `${base}/mcp/echo`, tool: 'echo', pid: host.pid! },
  { name: 'gateway /mcp', url: `${base}/mcp`, tool: 'echo__echo', pid: host.pid! },
  { name: 'supergateway 4.0.0', url: `http://127.0.0.1:${sgPort}/mcp`, tool: 'echo', pid: sg.pid! },
];

async function open(url: string): Promise<Client> {
  const c = new Client({ name: 'bench', version: '1' });
  await c.connect(new StreamableHTTPClientTransport(new URL(url)));
  return c;
}

async function once_(clients: Client[], tool: string): Promise<{ rps: number; p50: number }> {
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      for (let i = 0; i < CALLS; i++) {
        const t = performance.now();
        await c.callTool({ name: tool, arguments: { message: 'x' } });
        lat.push(performance.now() - t);
      }
    }),
  );
  return { rps: lat.length / ((performance.now() - t0) / 1000), p50: median(lat) };
}

const rssMb = (pid: number) => treeRssBytes(pid) / 1048576;
const results: Record<string, Record<number, { rps: number; p50: number }>> = {};
// Memory first, one target at a time (the two gateway endpoints share one host process): each
// tree's RSS with only its own 32 sessions open, after as many rounds of calls as a case makes.
const rssAt32 = new Map<string, number>();
for (const t of targets) {
  const clients = await Promise.all(Array.from({ length: 32 }, () => open(t.url)));
  for (let r = 0; r <= REPS; r++) await once_(clients, t.tool);
  rssAt32.set(t.name, rssMb(t.pid));
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await new Promise((r) => setTimeout(r, 5000));
}
for (const n of CONC) {
  // Every target's sessions stay open for the whole session count, and each repetition runs the
  // targets in a rotated order: whichever case ran first after another's was always slower
  // (its predecessor's garbage and teardown shared the 2 cores), so a fixed order favoured
  // the later cases.
  const open_ = await Promise.all(
    targets.map(async (t) => ({
      t,
      clients: await Promise.all(Array.from({ length: n }, () => open(t.url))),
    })),
  );
  for (const { t, clients } of open_) await once_(clients, t.tool); // warm-up
  const runs = new Map<string, Array<{ rps: number; p50: number }>>();
  for (let r = 0; r < REPS; r++)
    for (let k = 0; k < open_.length; k++) {
      const { t, clients } = open_[(k + r) % open_.length]!;
      runs.set(t.name, [...(runs.get(t.name) ?? []), await once_(clients, t.tool)]);
    }
  for (const { t, clients } of open_) {
    const mine = runs.get(t.name)!;
    const row = { rps: median(mine.map((x) => x.rps)), p50: median(mine.map((x) => x.p50)) };
    (results[t.name] ??= {})[n] = row;
    const rss = n === 32 ? `  tree RSS with 32 sessions open ${rssAt32.get(t.name)!.toFixed(0)} MB` : '';
    console.log(
      `${t.name.padEnd(20)} ${String(n).padStart(2)} session(s): ${row.rps.toFixed(0).padStart(5)} calls/s  p50 ${row.p50.toFixed(2)} ms${rss}`,
    );
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
  }
  // supergateway ends one stdio server process per closed session: let them exit first.
  await new Promise((r) => setTimeout(r, 5000));
}
const sgRow = results['supergateway 4.0.0']!;
for (const name of ['gateway /mcp/echo', 'gateway /mcp']) {
  const ratios = CONC.map((n) => `${n}: ${(results[name]![n]!.rps / sgRow[n]!.rps).toFixed(2)}×`).join(', ');
  console.log(`${name} calls/s vs supergateway: ${ratios}`);
}
host.stdin!.end();
killAll();
process.exit(0);
