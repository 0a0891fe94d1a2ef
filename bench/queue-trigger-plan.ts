/**
 * The task-event trigger's cost per statement (decision 0069): EXPLAIN ANALYZE of a 500-row
 * status update in a session whose FIRST status update had one row, with the schema as migration
 * 0011 left it and with migration 0012, on PostgreSQL and PGlite. PL/pgSQL keeps the plan of
 * the trigger's join from the first call, so before 0012 a session that started small (a
 * worker's first claim) joined every later batch with a nested loop. Prints the median trigger
 * time of ROUNDS statements per schema.
 *
 *   npx tsx bench/queue-trigger-plan.ts       (TEST_DATABASE_URL, BENCH_DB, ROUNDS)
 */
import { loadavg } from 'node:os';
import { migrate, openDb, type Db } from '../src/db/index.js';
import { migrations } from '../src/db/migrations/index.js';
import { TaskQueue } from '../src/tasks/index.js';
import { freshPostgresSchemaUrl } from '../test/helpers/db.js';
import { backends, PG_URL } from './common.js';
import { median } from './lib.js';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const ROWS = 500;

/** One session (pool of one) so the trigger's kept plan is the one every statement uses. */
async function openSession(name: 'postgres' | 'pglite'): Promise<{ db: Db; close: () => Promise<void> }> {
  if (name === 'pglite') {
    const db = await openDb({ dataDir: '', inMemory: true });
    return { db, close: () => db.close() };
  }
  const { url, drop } = await freshPostgresSchemaUrl(PG_URL);
  const db = await openDb({ url, dataDir: '', poolMax: 1 });
  return {
    db,
    close: async () => {
      await db.close();
      await drop();
    },
  };
}

/** Flips `rows` tasks between pending and running; the trigger's time in ms. */
async function flip(db: Db, rows: number): Promise<number> {
  const { rows: plan } = await db.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN ANALYZE UPDATE tasks SET status = CASE status WHEN 'pending' THEN 'running' ELSE 'pending' END
     WHERE id IN (SELECT id FROM tasks ORDER BY id LIMIT ${rows})`,
  );
  const line = plan.map((r) => r['QUERY PLAN']).find((l) => l.startsWith('Trigger tasks_notify_status'));
  return Number(/time=([\d.]+)/.exec(line ?? '')?.[1] ?? NaN);
}

for (const name of backends()) {
  for (const upTo of ['0011-tasks-lean-writes', '0012-task-events-hash-join']) {
    const session = await openSession(name);
    try {
      await migrate(session.db, migrations.slice(0, migrations.findIndex((m) => m.name === upTo) + 1));
      const queue = new TaskQueue(session.db, {
        maxPending: 1e7,
        defaultMaxAttempts: 5,
        backoffBaseMs: 1000,
        backoffMaxMs: 1000,
        asyncWorkerCommits: false,
      });
      await queue.enqueueMany(Array.from({ length: ROWS }, () => ({ type: 'noop' })));
      await flip(session.db, 1); // the session's first status update: one row, as a worker's first claim
      const times: number[] = [];
      for (let i = 0; i < ROUNDS; i++) times.push(await flip(session.db, ROWS));
      console.log(
        `${name}: schema up to ${upTo}: trigger ${median(times).toFixed(1)} ms per ${ROWS}-row statement ` +
          `(${((median(times) * 1000) / ROWS).toFixed(1)} us per row; runs ${times.map((t) => t.toFixed(1)).join(', ')}; load ${loadavg()[0]!.toFixed(1)})`,
      );
    } finally {
      await session.close();
    }
  }
}
