/**
 * Where the queue's time goes per task: the cost of one claim statement and one outcome
 * statement of 250 tasks each, on PostgreSQL (BENCH_DB=pglite for the embedded engine), with
 * synchronous commits. Prints the medians over ROUNDS claims/completions and the ms per task,
 * then the WAL each statement wrote per task (EXPLAIN (ANALYZE, WAL) of one more claim and
 * completion): unlike the times, that does not depend on the machine's load.
 *
 *   npx tsx bench/queue-statement-cost.ts       (TEST_DATABASE_URL, BENCH_DB, ROUNDS)
 */
import { loadavg } from 'node:os';
import type { Db } from '../src/db/index.js';
import { TaskQueue } from '../src/tasks/index.js';
import { explainingDb } from '../test/helpers/db.js';
import { backends, openBenchDb } from './common.js';
import { median } from './lib.js';

const BATCH = 250;
const ROUNDS = Number(process.env.ROUNDS ?? 12);

for (const name of backends()) {
  const bench = await openBenchDb(name);
  try {
    const queue = new TaskQueue(bench.db, {
      maxPending: 1e7,
      defaultMaxAttempts: 5,
      backoffBaseMs: 1000,
      backoffMaxMs: 1000,
      asyncWorkerCommits: false,
    });
    await queue.enqueueMany(Array.from({ length: BATCH * (ROUNDS + 1) }, () => ({ type: 'noop' })));
    const claims: number[] = [];
    const outcomes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      let t = performance.now();
      const claimed = await queue.claim({ owner: 'w', limit: BATCH, leaseMs: 30_000, types: ['noop'] });
      claims.push(performance.now() - t);
      t = performance.now();
      await queue.writeOutcomes(
        'w',
        claimed.map((c) => ({ id: c.id, resultJson: 'null' })),
      );
      outcomes.push(performance.now() - t);
    }
    const wal = await walPerTask(bench.db);
    const c = median(claims);
    const o = median(outcomes);
    console.log(
      `${name}: claim of ${BATCH} ${c.toFixed(1)} ms, ${BATCH} completions ${o.toFixed(1)} ms, ` +
        `${((c + o) / BATCH).toFixed(3)} ms per task (medians of ${ROUNDS}; load ${loadavg()[0]!.toFixed(2)})`,
    );
    if (wal)
      console.log(
        `${name}: WAL per task: claim ${wal.claim.records.toFixed(1)} records ${wal.claim.bytes.toFixed(0)} bytes, ` +
          `completion ${wal.completion.records.toFixed(1)} records ${wal.completion.bytes.toFixed(0)} bytes`,
      );
  } finally {
    await bench.close();
  }
}

interface Wal {
  records: number;
  bytes: number;
}

/**
 * One claim and one completion of BATCH tasks through a Db whose queries run under EXPLAIN
 * (ANALYZE, WAL): the statements execute as usual, and the top plan node's WAL counters (which
 * include its children's) are what the statement wrote. Undefined on PGlite (WAL is the same SQL).
 */
async function walPerTask(db: Db): Promise<{ claim: Wal; completion: Wal } | undefined> {
  if (db.kind !== 'postgres') return undefined;
  let last: Wal = { records: 0, bytes: 0 };
  const explaining = explainingDb(db, 'ANALYZE, WAL', (plan) => {
    last = { records: Number(plan['WAL Records']) / BATCH, bytes: Number(plan['WAL Bytes']) / BATCH };
  });
  const queue = new TaskQueue(explaining, {
    maxPending: 1e7,
    defaultMaxAttempts: 5,
    backoffBaseMs: 1000,
    backoffMaxMs: 1000,
    asyncWorkerCommits: false,
  });
  await queue.claim({ owner: 'wal', limit: BATCH, leaseMs: 30_000, types: ['noop'] });
  const claim = last;
  const { rows } = await db.query<{ id: string }>("SELECT id FROM tasks WHERE lease_owner = 'wal'");
  if (rows.length !== BATCH) throw new Error(`claimed ${rows.length} tasks, expected ${BATCH}`);
  await queue.writeOutcomes(
    'wal',
    rows.map((r) => ({ id: r.id, resultJson: 'null' })),
  );
  return { claim, completion: last };
}
