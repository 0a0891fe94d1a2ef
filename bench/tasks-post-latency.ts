/**
 * Latency of POST /api/v1/tasks over real HTTP on 127.0.0.1 with 32 concurrent clients
 * (keep-alive), on PGlite and PostgreSQL: each request validates, checks the queue cap, inserts
 * and commits before answering 202. Prints p50/p99 and throughput, medians over RUNS runs; the
 * baseline is GET /api/v1/tasks/{missing-id} on the same server (routing, hooks, one indexed read).
 *
 *   npx tsx bench/tasks-post-latency.ts      (BENCH_DB=postgres|pglite, REQUESTS=…, RUNS=…)
 */
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { buildHttpApp } from '../src/http/app.js';
import { MemoryRateLimiter } from '../src/http/rate-limit.js';
import { tasksRoutes } from '../src/http/routes/tasks.js';
import { httpCheckTaskType, TaskQueue } from '../src/tasks/index.js';
import { backends, openBenchDb } from './common.js';
import { median, percentile } from './lib.js';

const CLIENTS = 32;
const RUNS = Number(process.env.RUNS ?? 3);
const REQUESTS = Number(process.env.REQUESTS ?? 2000);

interface RunStats {
  p50: number;
  p99: number;
  perSecond: number;
}

async function load(base: string, method: 'POST' | 'GET', total: number): Promise<RunStats> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const client = async (): Promise<void> => {
    while (next < total) {
      next++;
      const t0 = performance.now();
      const res =
        method === 'POST'
          ? await fetch(`${base}/api/v1/tasks`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ type: 'http.check', payload: { url: 'http://127.0.0.1:9/' } }),
            })
          : await fetch(`${base}/api/v1/tasks/00000000-0000-4000-8000-000000000000`);
      await res.arrayBuffer();
      if (res.status !== (method === 'POST' ? 202 : 404)) throw new Error(`unexpected ${res.status}`);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const seconds = (performance.now() - started) / 1000;
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), perSecond: total / seconds };
}

function summary(label: string, runs: RunStats[]): string {
  const m = (k: keyof RunStats) => median(runs.map((r) => r[k]));
  return `${label}  p50=${m('p50').toFixed(2)} ms  p99=${m('p99').toFixed(2)} ms  ${m('perSecond').toFixed(0)} req/s`;
}

async function main(): Promise<void> {
  console.log(
    `POST /api/v1/tasks, ${CLIENTS} concurrent clients, ${REQUESTS} requests/run, median of ${RUNS} runs`,
  );
  for (const name of backends()) {
    const bench = await openBenchDb(name);
    const queue = new TaskQueue(bench.db, {
      maxPending: 10_000_000,
      defaultMaxAttempts: 5,
      backoffBaseMs: 1000,
      backoffMaxMs: 60_000,
    });
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
      [tasksRoutes({ queue, taskTypes: new Map([[httpCheckTaskType.type, httpCheckTaskType]]) })],
    );
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      await load(base, 'POST', 200); // warm-up
      const posts: RunStats[] = [];
      const gets: RunStats[] = [];
      for (let r = 0; r < RUNS; r++) {
        await bench.reset();
        posts.push(await load(base, 'POST', REQUESTS));
        gets.push(await load(base, 'GET', REQUESTS));
      }
      console.log(summary(`${name.padEnd(8)} POST /api/v1/tasks     `, posts));
      console.log(summary(`${name.padEnd(8)} GET  (baseline, 404)  `, gets));
    } finally {
      await app.close();
      await bench.close();
    }
  }
}

await main();
