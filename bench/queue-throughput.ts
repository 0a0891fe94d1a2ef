/**
 * Queue throughput: how many no-op tasks per second one worker moves from pending to completed
 * (claim, run, complete: every state change committed), at concurrency 1, 4 and 16, on
 * PostgreSQL and on PGlite. Prints the median over RUNS runs; the baseline is the 2,000 tasks/s
 * target for PostgreSQL at concurrency 16.
 *
 *   npx tsx bench/queue-throughput.ts          (BENCH_DB=postgres|pglite, TASKS=…, RUNS=…)
 *
 * COMMITS=auto (default: what the product does, asynchronous worker commits on PostgreSQL only),
 * async or sync forces one; COMMITS=sync,async measures both in one run, interleaved, for a
 * baseline. PGLITE_DISK=1 puts PGlite in a temporary data dir instead of memory (what `up` does).
 */
import pino from 'pino';
import { asyncCommitsAllowed, Worker } from '../src/tasks/index.js';
import { backends, openBenchDb, type BenchDb } from './common.js';
import { median } from './lib.js';
import { CountingQueue } from './queue-ours.js';

const RUNS = Number(process.env.RUNS ?? 3);
const TARGET_PER_SECOND = 2000;
const log = pino({ level: 'silent' });

type Commits = 'auto' | 'async' | 'sync';

function asyncCommits(mode: Commits, bench: BenchDb): boolean {
  return mode === 'auto' ? asyncCommitsAllowed('auto', bench.db.kind) : mode === 'async';
}

async function setTriggers(bench: BenchDb, on: boolean): Promise<void> {
  const verb = on ? 'ENABLE' : 'DISABLE';
  for (const [table, trigger] of [
    ['tasks', 'tasks_notify_insert'],
    ['tasks', 'tasks_notify_status'],
    ['task_steps', 'task_steps_notify'],
  ])
    await bench.db.exec(`ALTER TABLE ${table} ${verb} TRIGGER ${trigger}`);
}

async function runOnce(
  bench: BenchDb,
  concurrency: number,
  tasks: number,
  mode: Commits,
  triggers = true,
): Promise<number> {
  await bench.reset();
  await setTriggers(bench, triggers);
  const queue = new CountingQueue(bench.db, {
    maxPending: 10_000_000,
    defaultMaxAttempts: 5,
    backoffBaseMs: 1000,
    backoffMaxMs: 60_000,
    asyncWorkerCommits: asyncCommits(mode, bench),
  });
  for (let i = 0; i < tasks; i += 5000)
    await queue.enqueueMany(Array.from({ length: Math.min(5000, tasks - i) }, () => ({ type: 'noop' })));
  const worker = new Worker({
    queue,
    db: bench.db,
    log,
    handlers: new Map([['noop', async () => null]]),
    concurrency,
    pollIntervalMs: 100,
    leaseMs: 30_000,
    drainTimeoutMs: 5000,
    ...(process.env.LANES ? { lanes: Number(process.env.LANES) } : {}),
  });
  const done = new Promise<void>((resolve) => {
    queue.onProgress = () => {
      if (queue.written >= tasks) resolve();
    };
  });
  const started = performance.now();
  // Worker timers are unref'd (they must not hold a server open); this keeps the bench alive.
  const keepAlive = setInterval(() => undefined, 1000);
  await worker.start();
  await done;
  clearInterval(keepAlive);
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();
  return tasks / seconds;
}

async function main(): Promise<void> {
  console.log(
    `queue throughput, no-op handler, median of ${RUNS} runs (target ${TARGET_PER_SECOND}/s on postgres c=16)`,
  );
  for (const name of backends()) {
    const bench = await openBenchDb(name);
    try {
      for (const concurrency of (process.env.CONCURRENCY ?? '1,4,16').split(',').map(Number)) {
        const tasks = Number(process.env.TASKS ?? (name === 'postgres' ? 10_000 : 3000));
        const modes = (process.env.COMMITS ?? 'auto').split(',') as Commits[];
        const triggers = (process.env.TRIGGERS ?? 'on').split(',').map((t) => t === 'on');
        await runOnce(bench, concurrency, Math.min(500, tasks), modes[0]!); // warm-up
        const rates = new Map<string, number[]>();
        for (let r = 0; r < RUNS; r++)
          for (const mode of modes)
            for (const on of triggers) {
              const key = `${mode}${triggers.length > 1 ? ` triggers=${on ? 'on' : 'off'}` : ''}`;
              rates.set(key, [...(rates.get(key) ?? []), await runOnce(bench, concurrency, tasks, mode, on)]);
            }
        for (const [key, list] of rates) report(bench, concurrency, tasks, key, list);
      }
    } finally {
      await bench.close();
    }
  }
}

function report(bench: BenchDb, concurrency: number, tasks: number, key: string, rates: number[]): void {
  const [mode, label = ''] = key.split(' ') as [Commits, string?];
  const m = median(rates);
  const versus =
    bench.name === 'postgres' && concurrency === 16 ? ` (${(m / TARGET_PER_SECOND).toFixed(2)}x target)` : '';
  const commits = asyncCommits(mode, bench) ? 'async' : 'sync';
  console.log(
    `${bench.name.padEnd(8)} commits=${mode}(${commits}) ${label} concurrency=${String(concurrency).padStart(2)} ` +
      `tasks=${tasks}  ${m.toFixed(0)} tasks/s  runs=[${rates.map((x) => x.toFixed(0)).join(', ')}]${versus}`,
  );
}

await main();
