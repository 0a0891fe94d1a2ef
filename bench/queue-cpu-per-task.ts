/**
 * Where a task's time goes (decision 0069): for our queue and graphile-worker batched, one
 * worker of no-op tasks on PostgreSQL, every commit synchronous: tasks/s, this process's CPU per
 * task (the worker's JavaScript, the driver, parsing), the PostgreSQL backends' CPU per task
 * (utime + stime from /proc of every backend connected to the bench database, both systems' pools:
 * they run one after the other; PostgreSQL must
 * run on this host) and commits per 1,000 tasks. CPU is what the load of a shared machine moves
 * least; the rates are indicative only. Run it alone in its database: every backend of the database
 * counts.
 *
 *   TEST_DATABASE_URL=... npx tsx bench/queue-cpu-per-task.ts   (TASKS 20000, RUNS 3, CONCURRENCY 1,16)
 */
import { readFileSync } from 'node:fs';
import type { Db } from '../src/db/index.js';
import { openBenchDb, PG_URL } from './common.js';
import { GraphileBench } from './graphile.js';
import { median } from './lib.js';
import { ours } from './queue-ours.js';

const TASKS = Number(process.env.TASKS ?? 20_000);
const RUNS = Number(process.env.RUNS ?? 3);
const CONCURRENCY = (process.env.CONCURRENCY ?? '1,16').split(',').map(Number);
const TICK_US = 10_000; // USER_HZ 100

interface Usage {
  node: number;
  pg: number;
  commits: number;
}

/** CPU µs of this process and of the database's backends, and the database's commits. */
async function usage(query: Db['query']): Promise<Usage> {
  const { rows } = await query<{ pid: number; commits: string }>(
    `SELECT pid, (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS commits
     FROM pg_stat_activity WHERE datname = current_database()`,
  );
  let ticks = 0;
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // a backend that ended meanwhile
    }
  }
  const cpu = process.cpuUsage();
  return { node: cpu.user + cpu.system, pg: ticks * TICK_US, commits: Number(rows[0]?.commits ?? 0) };
}

type Sample = { rate: number; node: number; pg: number; commits: number };

async function measured(
  query: Db['query'],
  run: (hooks: { started: () => Promise<void>; finished: () => Promise<void> }) => Promise<number>,
): Promise<Sample> {
  let before: Usage | undefined;
  let after: Usage | undefined;
  const rate = await run({
    started: async () => void (before = await usage(query)),
    finished: async () => void (after = await usage(query)),
  });
  // pg_stat_database lags by up to a second; commits are read again after it.
  await new Promise((r) => setTimeout(r, 1100));
  const late = await usage(query);
  return {
    rate,
    node: (after!.node - before!.node) / TASKS,
    pg: (after!.pg - before!.pg) / TASKS,
    commits: ((late.commits - before!.commits) * 1000) / TASKS,
  };
}

function print(label: string, samples: Sample[]): void {
  const m = (k: keyof Sample) => median(samples.map((s) => s[k]));
  console.log(
    `  ${label.padEnd(36)} ${m('rate').toFixed(0).padStart(6)} tasks/s  node ${m('node').toFixed(0)} us/task  ` +
      `PostgreSQL ${m('pg').toFixed(0)} us/task  commits ${m('commits').toFixed(1)}/1000 tasks`,
  );
}

const bench = await openBenchDb('postgres');
const gw = await GraphileBench.open(PG_URL, `gw_cpu_${process.pid}`);
try {
  console.log(
    `CPU per task, no-op tasks, one worker, PostgreSQL with synchronous commits; ${TASKS} tasks, medians of ${RUNS}`,
  );
  for (const c of CONCURRENCY) {
    await ours(bench, c, Math.min(2000, TASKS)); // warm-up
    const mine: Sample[] = [];
    const theirs: Sample[] = [];
    for (let r = 0; r < RUNS; r++) {
      mine.push(await measured(bench.db.query.bind(bench.db), (hooks) => ours(bench, c, TASKS, hooks)));
      theirs.push(
        await measured(bench.db.query.bind(bench.db), (hooks) => gw.throughput('batched', c, TASKS, hooks)),
      );
    }
    print(`c=${c} sutazai`, mine);
    print(`c=${c} graphile-worker batched`, theirs);
  }
} finally {
  await gw.close();
  await bench.close();
}
