/**
 * Where the queue's time goes per task: the cost of one claim statement and one outcome
 * statement of 250 tasks each, on PostgreSQL (BENCH_DB=pglite for the embedded engine), with
 * synchronous commits. Prints the medians over ROUNDS claims/completions and the ms per task.
 *
 *   npx tsx bench/queue-statement-cost.ts       (TEST_DATABASE_URL, BENCH_DB, ROUNDS)
 */
import { loadavg } from 'node:os';
import { TaskQueue } from '../src/tasks/index.js';
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
    await queue.enqueueMany(Array.from({ length: BATCH * ROUNDS }, () => ({ type: 'noop' })));
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
    const c = median(claims);
    const o = median(outcomes);
    console.log(
      `${name}: claim of ${BATCH} ${c.toFixed(1)} ms, ${BATCH} completions ${o.toFixed(1)} ms, ` +
        `${((c + o) / BATCH).toFixed(3)} ms per task (medians of ${ROUNDS}; load ${loadavg()[0]!.toFixed(2)})`,
    );
  } finally {
    await bench.close();
  }
}
