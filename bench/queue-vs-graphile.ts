/**
 * Our queue side by side with graphile-worker 0.17.3 (issue 10), in one run, on the same
 * PostgreSQL, every commit synchronous on both sides; then our queue on PGlite against the same
 * run's graphile-worker default figures. Prints medians of RUNS runs and the ratios.
 *
 *   npx tsx bench/queue-vs-graphile.ts
 *
 * Env: TEST_DATABASE_URL, TASKS (default 20000), RUNS (3), CONCURRENCY (1,4,16,64),
 * ENQUEUE (tasks per enqueue measurement, 5000), LAT_SECONDS (5; the latency test offers 100
 * tasks/s at concurrency 4), PARTS (throughput,enqueue,latency,pglite), PGLITE_DISK=1 (a data
 * dir as `up` runs it), STATS=1 (per 1,000 tasks of each throughput run: commits in this
 * database, and the cluster's WAL records, bytes and syncs — cluster-wide, so other databases'
 * writes count too: read them on a quiet server), COMPARE (comma-separated migration names, e.g.
 * 0010-optimizer-steps,0011-tasks-lean-writes: our queue also on a schema migrated only up to
 * each, in the same runs, for before/after figures of a schema change).
 */
import { loadavg } from 'node:os';
import type { TaskHandler } from '../src/tasks/index.js';
import { openBenchDb, PG_URL, type BenchDb } from './common.js';
import { GraphileBench, now, offer, sleep, type GraphileMode } from './graphile.js';
import { median, percentile } from './lib.js';
import { ours, queueFor, workerFor } from './queue-ours.js';

const RUNS = Number(process.env.RUNS ?? 3);
const TASKS = Number(process.env.TASKS ?? 20_000);
const CONCURRENCY = (process.env.CONCURRENCY ?? '1,4,16,64').split(',').map(Number);
const ENQUEUE = Number(process.env.ENQUEUE ?? 5000);
const LAT_SECONDS = Number(process.env.LAT_SECONDS ?? 5);
const PARTS = new Set((process.env.PARTS ?? 'throughput,enqueue,latency,pglite').split(','));
const COMPARE = (process.env.COMPARE ?? '').split(',').filter(Boolean);

async function ourLatency(bench: BenchDb, concurrency: number): Promise<number[]> {
  await bench.reset();
  const delays: number[] = [];
  const stamp: TaskHandler = async (ctx) => void delays.push(now() - (ctx.task.payload as { t: number }).t);
  // The producer is another queue object: workers wake by NOTIFY, as across processes.
  const producer = queueFor(bench, true);
  const worker = workerFor(bench, queueFor(bench), concurrency, new Map([['stamp', stamp]]), true);
  await worker.start();
  await offer(100, LAT_SECONDS, () =>
    producer.enqueue({ type: 'stamp', payload: { t: now() } }).then(() => undefined),
  );
  const until = Date.now() + 10_000;
  while (delays.length < 100 * LAT_SECONDS && Date.now() < until) await sleep(5);
  await worker.stop();
  return delays;
}

async function ourEnqueue(bench: BenchDb, batch: number): Promise<number> {
  await bench.reset();
  const queue = queueFor(bench);
  return perSecond(
    ENQUEUE,
    async (n) => {
      if (batch === 1) await queue.enqueue({ type: 'noop' });
      else await queue.enqueueBatch(Array.from({ length: n }, () => ({ type: 'noop' })));
    },
    batch,
  );
}

async function gwEnqueue(gw: GraphileBench, batch: number): Promise<number> {
  await gw.reset();
  return perSecond(
    ENQUEUE,
    async (n) => {
      if (batch === 1) await gw.utils.addJob('noop', {});
      else await gw.utils.addJobs(Array.from({ length: n }, () => ({ identifier: 'noop', payload: {} })));
    },
    batch,
  );
}

/** `total` tasks from 16 concurrent clients, `batch` per call. */
async function perSecond(total: number, call: (n: number) => Promise<void>, batch: number): Promise<number> {
  let left = total;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (left > 0) {
        const n = Math.min(batch, left);
        left -= n;
        await call(n);
      }
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

interface DbStats {
  commits: number;
  walRecords: number;
  walBytes: number;
  walSyncs: number;
}

async function dbStats(bench: BenchDb): Promise<DbStats> {
  // Statistics reach the shared view at most once a second from other backends.
  await sleep(1100);
  const { rows } = await bench.db.query<Record<string, string>>(
    `SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS commits,
            wal_records, wal_bytes, wal_sync FROM pg_stat_wal`,
  );
  const r = rows[0]!;
  return {
    commits: Number(r.commits),
    walRecords: Number(r.wal_records),
    walBytes: Number(r.wal_bytes),
    walSyncs: Number(r.wal_sync),
  };
}

/** Runs one throughput measurement; with STATS=1 prints its database work per 1,000 tasks. */
async function withStats(bench: BenchDb, label: string, run: () => Promise<number>): Promise<number> {
  if (process.env.STATS !== '1') return run();
  const before = await dbStats(bench);
  const rate = await run();
  const after = await dbStats(bench);
  const per = (k: keyof DbStats): string => (((after[k] - before[k]) * 1000) / TASKS).toFixed(0);
  console.log(
    `    ${label}: ${rate.toFixed(0)} tasks/s; per 1000 tasks: commits ${per('commits')}, ` +
      `WAL records ${per('walRecords')}, WAL bytes ${per('walBytes')}, WAL syncs ${per('walSyncs')} (cluster-wide)`,
  );
  return rate;
}

function line(label: string, values: number[], unit: string): number {
  const m = median(values);
  console.log(
    `  ${label.padEnd(44)} ${m.toFixed(0).padStart(7)} ${unit}  runs=[${values.map((v) => v.toFixed(0)).join(', ')}]`,
  );
  return m;
}

async function main(): Promise<void> {
  console.log(
    `queue vs graphile-worker 0.17.3; TASKS=${TASKS} RUNS=${RUNS}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const pgBench = await openBenchDb('postgres');
  const pgEarlier = await Promise.all(COMPARE.map((m) => openBenchDb('postgres', 20, m)));
  const gw = await GraphileBench.open(PG_URL, `gw_bench_${process.pid}`);
  const gwDefault = new Map<number, number>();
  try {
    if (PARTS.has('throughput')) {
      console.log('tasks/s, no-op, one worker process, PostgreSQL, synchronous commits on both sides:');
      for (const c of CONCURRENCY) {
        await ours(pgBench, c, Math.min(2000, TASKS)); // warm-up
        for (const db of pgEarlier) await ours(db, c, Math.min(2000, TASKS));
        const rows: Record<string, number[]> = { ours: [], default: [], batched: [] };
        const earlier = COMPARE.map(() => [] as number[]);
        for (let r = 0; r < RUNS; r++) {
          rows.ours!.push(await withStats(pgBench, `c=${c} sutazai`, () => ours(pgBench, c, TASKS)));
          for (const [i, db] of pgEarlier.entries())
            earlier[i]!.push(
              await withStats(db, `c=${c} sutazai up to ${COMPARE[i]}`, () => ours(db, c, TASKS)),
            );
          for (const mode of ['default', 'batched'] as GraphileMode[])
            rows[mode]!.push(
              await withStats(pgBench, `c=${c} graphile ${mode}`, () => gw.throughput(mode, c, TASKS)),
            );
        }
        const o = line(`c=${c} sutazai`, rows.ours!, 'tasks/s');
        for (const [i, m] of COMPARE.entries()) {
          const e = line(`c=${c} sutazai, schema up to ${m}`, earlier[i]!, 'tasks/s');
          console.log(`  c=${c} ratio sutazai / sutazai up to ${m} ${(o / e).toFixed(2)}`);
        }
        const d = line(`c=${c} graphile-worker default`, rows.default!, 'tasks/s');
        const b = line(`c=${c} graphile-worker batched (localQueue 500, delay 0)`, rows.batched!, 'tasks/s');
        gwDefault.set(c, d);
        console.log(
          `  c=${c} ratio sutazai/default ${(o / d).toFixed(2)}  sutazai/batched ${(o / b).toFixed(2)}  (load ${loadavg()[0]!.toFixed(2)})`,
        );
      }
    }
    if (PARTS.has('enqueue')) {
      console.log(`enqueue/s, ${ENQUEUE} tasks from 16 clients (library calls), PostgreSQL:`);
      for (const batch of [1, 100]) {
        const rows: Record<string, number[]> = { ours: [], gw: [] };
        for (let r = 0; r < RUNS; r++) {
          rows.ours!.push(await ourEnqueue(pgBench, batch));
          rows.gw!.push(await gwEnqueue(gw, batch));
        }
        const o = line(
          `batch=${batch} sutazai ${batch === 1 ? 'enqueue' : 'enqueueBatch'}`,
          rows.ours!,
          'tasks/s',
        );
        const g = line(
          `batch=${batch} graphile-worker ${batch === 1 ? 'addJob' : 'addJobs'}`,
          rows.gw!,
          'tasks/s',
        );
        console.log(`  batch=${batch} ratio ${(o / g).toFixed(2)}`);
      }
    }
    if (PARTS.has('latency')) {
      console.log(
        `enqueue->start ms at 100 tasks/s offered for ${LAT_SECONDS} s, concurrency 4, wake by NOTIFY:`,
      );
      const systems: Array<[string, () => Promise<number[]>]> = [
        ['sutazai', () => ourLatency(pgBench, 4)],
        ['graphile-worker default', () => gw.latency('default', 4, 100, LAT_SECONDS)],
        ['graphile-worker batched', () => gw.latency('batched', 4, 100, LAT_SECONDS)],
      ];
      const p50 = new Map<string, number[]>(systems.map(([n]) => [n, []]));
      const p99 = new Map<string, number[]>(systems.map(([n]) => [n, []]));
      for (let r = 0; r < RUNS; r++)
        for (const [name, measure] of systems) {
          const delays = await measure();
          p50.get(name)!.push(percentile(delays, 50));
          p99.get(name)!.push(percentile(delays, 99));
        }
      for (const [name] of systems) {
        console.log(
          `  ${name.padEnd(26)} p50 ${median(p50.get(name)!).toFixed(1)} ms p99 ${median(p99.get(name)!).toFixed(1)} ms  p50 runs=[${p50
            .get(name)!
            .map((v) => v.toFixed(1))
            .join(', ')}] p99 runs=[${p99
            .get(name)!
            .map((v) => v.toFixed(1))
            .join(', ')}]`,
        );
      }
    }
  } finally {
    await gw.close();
    await pgBench.close();
    for (const db of pgEarlier) await db.close();
  }
  if (PARTS.has('pglite')) {
    const lite = await openBenchDb('pglite');
    const liteEarlier = await Promise.all(COMPARE.map((m) => openBenchDb('pglite', 20, m)));
    try {
      console.log(
        `tasks/s on PGlite${process.env.PGLITE_DISK === '1' ? ' (data dir)' : ' (memory)'}, every commit written; vs graphile-worker default on PostgreSQL above:`,
      );
      for (const c of CONCURRENCY) {
        const tasks = Math.min(TASKS, 10_000);
        await ours(lite, c, Math.min(1000, tasks));
        for (const db of liteEarlier) await ours(db, c, Math.min(1000, tasks));
        const rates: number[] = [];
        const earlier = COMPARE.map(() => [] as number[]);
        for (let r = 0; r < RUNS; r++) {
          rates.push(await ours(lite, c, tasks));
          for (const [i, db] of liteEarlier.entries()) earlier[i]!.push(await ours(db, c, tasks));
        }
        const m = line(`c=${c} sutazai on PGlite (${tasks} tasks)`, rates, 'tasks/s');
        for (const [i, name] of COMPARE.entries()) {
          const e = line(`c=${c} sutazai on PGlite, schema up to ${name}`, earlier[i]!, 'tasks/s');
          console.log(`  c=${c} ratio PGlite sutazai / sutazai up to ${name} ${(m / e).toFixed(2)}`);
        }
        const d = gwDefault.get(c);
        if (d) console.log(`  c=${c} ratio PGlite sutazai / graphile-worker default ${(m / d).toFixed(2)}`);
      }
    } finally {
      await lite.close();
      for (const db of liteEarlier) await db.close();
    }
  }
  console.log(
    `load average at the end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

await main();
