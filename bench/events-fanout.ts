/**
 * Events stream fan-out: CLIENTS connected SSE clients, RATE task updates per second for SECONDS,
 * against `sutazai up` in a child process on PostgreSQL (API role: no worker). The updates are
 * made from this process's own connection, as a worker process would, so each goes
 * UPDATE → trigger NOTIFY → the server's LISTEN connection → hub → every stream.
 *
 * Prints p50/p99 delivery delay (UPDATE sent → event read by a client, over all clients) and the
 * server's CPU (utime+stime from /proc/<pid>/stat during the run, as % of one core), with a
 * baseline in the same run: the server's CPU over an idle window of the same length with the same
 * clients connected. The machine is shared: the load average is printed beside the figures.
 *
 *   TEST_DATABASE_URL=postgres://127.0.0.1:5432/test npx tsx bench/events-fanout.ts [clients=100] [rate=100] [seconds=20]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { withDefaultUser } from '../src/db/postgres.js';
import { freshPostgresSchemaUrl } from '../test/helpers/db.js';
import { PG_URL } from './common.js';
import { percentile, report } from './lib.js';

const CLIENTS = Number(process.argv[2] ?? 100);
const RATE = Number(process.argv[3] ?? 100);
const SECONDS = Number(process.argv[4] ?? 20);
const PASSWORD = 'bench-admin-password-123';
/** USER_HZ: the unit of /proc/<pid>/stat times; 100 on every Linux this runs on. */
const TICKS = 100;

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime, stime
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join('/');
}

async function startServer(url: string, dir: string) {
  const configFile = path.join(dir, 'sutazai.yaml');
  writeFileSync(configFile, `events:\n  maxStreamsPerUser: ${CLIENTS + 10}\n  maxStreams: ${CLIENTS + 10}\n`);
  const args = ['--import', 'tsx', 'src/cli/bin.ts', 'up', '--role', 'api', '--config', configFile];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      DATABASE_URL: url,
      SUTAZAI_PORT: '0',
      SUTAZAI_DATA_DIR: dir,
      SUTAZAI_ADMIN_PASSWORD: PASSWORD,
      SUTAZAI_MCP_CONFIG: path.join(dir, 'none.json'),
      SUTAZAI_AGENTS_DIR: path.join(dir, 'agents'),
      SUTAZAI_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const base = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const m = /API ready on (\S+)/.exec(text);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${text}`)));
  });
  return { child, base };
}

interface Client {
  close(): void;
}

function connect(base: string, token: string, onTask: (id: string, state: string) => void): Promise<Client> {
  const controller = new AbortController();
  return fetch(`${base}/api/v1/events`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  }).then((res) => {
    if (res.status !== 200) throw new Error(`stream refused: ${res.status}`);
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of res.body!) {
          buffer += decoder.decode(chunk as Uint8Array, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (!block.includes('event: task\n')) continue;
            const data = JSON.parse(block.slice(block.indexOf('data: ') + 6)) as {
              id: string;
              state: string;
            };
            onTask(data.id, data.state);
          }
        }
      } catch {
        // closed
      }
    })();
    return { close: () => controller.abort() };
  });
}

async function main(): Promise<void> {
  const { url, drop } = await freshPostgresSchemaUrl(PG_URL);
  const dir = mkdtempSync(path.join(tmpdir(), 'sutazai-bench-events-'));
  const { child, base } = await startServer(url, dir);
  const db = new pg.Client({ connectionString: withDefaultUser(url) });
  await db.connect();
  const clients: Client[] = [];
  try {
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    const token = ((await login.json()) as { access_token: string }).access_token;
    const total = RATE * SECONDS;
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO tasks (type, payload) SELECT 'bench', '{}' FROM generate_series(1, $1) RETURNING id`,
      [total],
    );
    const sentAt = new Map<string, number>();
    const delays: number[] = [];
    let received = 0;
    const onTask = (id: string, state: string) => {
      if (state !== 'running') return;
      const sent = sentAt.get(id);
      if (sent === undefined) return;
      delays.push(performance.now() - sent);
      received++;
    };
    for (let i = 0; i < CLIENTS; i++) clients.push(await connect(base, token, onTask));
    await new Promise((r) => setTimeout(r, 1000)); // let the creation events drain

    const idleStart = cpuSeconds(child.pid!);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const idleCpu = cpuSeconds(child.pid!) - idleStart;

    const cpuStart = cpuSeconds(child.pid!);
    const started = performance.now();
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const id = rows[i]!.id;
      sentAt.set(id, performance.now());
      await db.query(`UPDATE tasks SET status = 'running', attempts = 1, updated_at = now() WHERE id = $1`, [
        id,
      ]);
    }
    const expected = total * CLIENTS;
    const deadline = performance.now() + 30_000;
    while (received < expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const elapsed = (performance.now() - started) / 1000;
    const cpu = cpuSeconds(child.pid!) - cpuStart;
    report('events-fanout', {
      clients: CLIENTS,
      updates_per_s: RATE,
      seconds: SECONDS,
      delivered: `${received}/${expected}`,
      p50_ms: percentile(delays, 50),
      p99_ms: percentile(delays, 99),
      server_cpu_pct: (cpu / elapsed) * 100,
      idle_baseline_cpu_pct: (idleCpu / SECONDS) * 100,
      loadavg: loadAverage(),
    });
  } finally {
    for (const c of clients) c.close();
    await db.end();
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await new Promise((r) => child.once('exit', r));
    await drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
