/**
 * Tasks per second through 1 and through 2 real `sutazai up --role worker` processes on one
 * PostgreSQL: the workers start and report ready, then TASKS http.check tasks (against a local
 * server that answers at once) are inserted in one statement with a NOTIFY, and the clock runs
 * until the last one is completed. Baseline: 1 worker, measured in the same run, interleaved
 * (1, 2, 1, 2, …); `ratio` = median(2 workers) / median(1 worker).
 *
 *   npx tsx bench/roles-throughput.ts      (TASKS=2000, RUNS=3, CONCURRENCY=4 per worker)
 */
import { freshPostgres } from '../test/helpers/db.js';
import { Cluster, countingTarget } from '../test/helpers/cluster.js';
import { PG_URL } from './common.js';
import { median, report } from './lib.js';

const TASKS = Number(process.env.TASKS ?? 2000);
const RUNS = Number(process.env.RUNS ?? 3);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 4);

async function once(workers: number): Promise<number> {
  const pg = await freshPostgres(PG_URL);
  const target = await countingTarget(0);
  const cluster = new Cluster(pg.url, { worker: { concurrency: CONCURRENCY } });
  try {
    for (let i = 0; i < workers; i++) await cluster.start('worker');
    const t0 = performance.now();
    await pg.db.query(
      `INSERT INTO tasks (type, payload, requested_by_role)
       SELECT 'http.check', jsonb_build_object('url', $1 || '?n=' || g), 'admin' FROM generate_series(1, $2) g`,
      [target.url, TASKS],
    );
    await pg.db.query(`NOTIFY sutazai_tasks`);
    for (;;) {
      const { rows } = await pg.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM tasks WHERE status = 'completed'`,
      );
      if (rows[0]!.n >= TASKS) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return TASKS / ((performance.now() - t0) / 1000);
  } finally {
    await cluster.stop();
    target.server.close();
    await pg.close();
  }
}

const one: number[] = [];
const two: number[] = [];
for (let i = 0; i < RUNS; i++) {
  one.push(await once(1));
  two.push(await once(2));
}
report('roles-throughput postgres', {
  tasks: TASKS,
  runs: RUNS,
  concurrency_per_worker: CONCURRENCY,
  one_worker_per_s: median(one),
  two_workers_per_s: median(two),
  ratio: median(two) / median(one),
});
