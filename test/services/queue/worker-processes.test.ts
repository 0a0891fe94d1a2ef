import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Db } from '../../../src/db/index.js';
import type { TaskQueue } from '../../../src/tasks/index.js';
import { makeQueue, statusOf, waitFor } from '../../fixtures/queue/helpers.js';
import { WorkerProcesses } from '../../fixtures/queue/processes.js';
import { freshPostgres } from '../../helpers/db.js';
import { describeWithService } from '../../helpers/services.js';

interface Run {
  task_id: string;
  owner: string;
  started_at: Date;
  ended_at: Date | null;
  outcome: string | null;
}

describeWithService('TEST_DATABASE_URL', 'worker processes sharing one PostgreSQL', (baseUrl) => {
  let pg: { db: Db; url: string; close: () => Promise<void> };
  let queue: TaskQueue;
  const procs = new WorkerProcesses();

  beforeAll(async () => {
    pg = await freshPostgres(baseUrl);
    await pg.db.query(
      `CREATE TABLE queue_test_runs (run serial PRIMARY KEY, task_id uuid NOT NULL, owner text NOT NULL,
         started_at timestamptz NOT NULL, ended_at timestamptz, outcome text)`,
    );
    queue = makeQueue(pg.db);
  });
  afterEach(async () => procs.killAll());
  afterAll(async () => {
    await procs.killAll();
    expect(procs.alive()).toEqual([]);
    await pg?.close();
  });

  const runsOf = async (ids: string[]): Promise<Run[]> =>
    (
      await pg.db.query<Run>(
        `SELECT task_id, owner, started_at, ended_at, outcome FROM queue_test_runs
         WHERE task_id IN (SELECT (jsonb_array_elements_text($1::jsonb))::uuid) ORDER BY started_at`,
        [JSON.stringify(ids)],
      )
    ).rows;

  it('two worker processes never run one task at the same time, and each task completes once', async () => {
    await Promise.all([procs.spawn(pg.url, 'alpha', 3000), procs.spawn(pg.url, 'beta', 3000)]);
    const tasks = await Promise.all(
      Array.from({ length: 24 }, () => queue.enqueue({ type: 'record', payload: { steps: 3, stepMs: 20 } })),
    );
    const ids = tasks.map((t) => t.id);
    await waitFor(async () => {
      const { rows } = await pg.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM tasks WHERE status = 'completed' AND id IN (SELECT (jsonb_array_elements_text($1::jsonb))::uuid)",
        [JSON.stringify(ids)],
      );
      return rows[0]!.n === ids.length;
    }, 30_000);
    const runs = await runsOf(ids);
    expect(runs).toHaveLength(ids.length); // no task ran twice
    expect(new Set(runs.map((r) => r.task_id)).size).toBe(ids.length);
    expect(runs.every((r) => r.outcome === 'done' && r.ended_at !== null)).toBe(true);
    expect(new Set(runs.map((r) => r.owner))).toEqual(new Set(['alpha', 'beta'])); // both took work
  });

  it('re-delivers the task of a SIGKILLed worker after its lease expires; another completes it once', async () => {
    const doomed = await procs.spawn(pg.url, 'doomed', 1000);
    const task = await queue.enqueue({ type: 'record', payload: { steps: 40, stepMs: 50 } });
    await waitFor(async () => (await runsOf([task.id])).length === 1, 15_000, 'first run');
    await procs.kill(doomed, 'SIGKILL');
    await procs.spawn(pg.url, 'survivor', 1000);
    await waitFor(async () => (await statusOf(pg.db, task.id)) === 'completed', 30_000, 'completion');
    const runs = await runsOf([task.id]);
    expect(runs.map((r) => [r.owner, r.outcome])).toEqual([
      ['doomed', null],
      ['survivor', 'done'],
    ]);
    expect(runs.filter((r) => r.ended_at !== null)).toHaveLength(1);
    expect(await queue.get(task.id)).toMatchObject({
      status: 'completed',
      attempts: 2,
      result: { owner: 'survivor' },
    });
  });

  it('cancel stops a task running in another process at its next checkpoint', async () => {
    await procs.spawn(pg.url, 'canceller', 3000);
    const task = await queue.enqueue({ type: 'record', payload: { steps: 10_000, stepMs: 20 } });
    await waitFor(async () => (await runsOf([task.id])).length === 1, 15_000, 'run start');
    expect((await queue.cancel(task.id)).cancelRequested).toBe(true);
    await waitFor(async () => (await statusOf(pg.db, task.id)) === 'cancelled', 15_000, 'cancelled');
    const runs = await runsOf([task.id]);
    expect(runs.map((r) => [r.owner, r.outcome, r.ended_at])).toEqual([['canceller', 'cancelled', null]]);
  });
});
