/**
 * graphile-worker 0.17.3 driven the same way as our queue, for bench/queue-vs-graphile.ts: one
 * runner in this process, no-op jobs, the same PostgreSQL (its own scratch schema). Bench-only
 * (a devDependency); nothing in src/ imports it.
 */
import pg from 'pg';
import { withDefaultUser } from '../src/db/postgres.js';
import { Logger, makeWorkerUtils, run, type WorkerUtils } from 'graphile-worker';
import { EventEmitter } from 'node:events';

export type GraphileMode = 'default' | 'batched';

const silent = new Logger(() => () => undefined);

/** The batched configuration the issue names: localQueue size 500, completeJobBatchDelay 0. */
function preset(mode: GraphileMode): object {
  return mode === 'batched'
    ? { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } }
    : {};
}

export class GraphileBench {
  private constructor(
    readonly url: string,
    readonly schema: string,
    readonly pool: pg.Pool,
    readonly utils: WorkerUtils,
  ) {}

  static async open(url: string, schema: string): Promise<GraphileBench> {
    const pool = new pg.Pool({ connectionString: withDefaultUser(url), max: 20 });
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    const utils = await makeWorkerUtils({ pgPool: pool, schema, logger: silent });
    await utils.migrate();
    return new GraphileBench(url, schema, pool, utils);
  }

  async reset(): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.schema}._private_jobs`);
    await this.pool.query(`VACUUM ANALYZE ${this.schema}._private_jobs`);
  }

  async load(count: number): Promise<void> {
    for (let i = 0; i < count; i += 1000)
      await this.utils.addJobs(
        Array.from({ length: Math.min(1000, count - i) }, () => ({ identifier: 'noop', payload: {} })),
      );
  }

  /** Jobs per second through one runner until `count` loaded jobs are done and deleted. */
  async throughput(mode: GraphileMode, concurrency: number, count: number): Promise<number> {
    await this.reset();
    await this.load(count);
    const events = new EventEmitter();
    let done = 0;
    const allDone = new Promise<void>((resolve) =>
      events.on('job:complete', () => {
        if (++done >= count) resolve();
      }),
    );
    const started = performance.now();
    const runner = await this.runner(mode, concurrency, { noop: async () => undefined }, events);
    await allDone;
    await this.waitEmpty();
    const seconds = (performance.now() - started) / 1000;
    await runner.stop();
    return count / seconds;
  }

  /** Enqueue→start delays (ms) at `perSecond` offered for `seconds`, jobs added one by one. */
  async latency(
    mode: GraphileMode,
    concurrency: number,
    perSecond: number,
    seconds: number,
  ): Promise<number[]> {
    await this.reset();
    const delays: number[] = [];
    const runner = await this.runner(
      mode,
      concurrency,
      { stamp: async (payload) => void delays.push(now() - (payload as { t: number }).t) },
      new EventEmitter(),
    );
    await offer(perSecond, seconds, () => this.utils.addJob('stamp', { t: now() }).then(() => undefined));
    const until = Date.now() + 10_000;
    while (delays.length < perSecond * seconds && Date.now() < until) await sleep(5);
    await runner.stop();
    return delays;
  }

  private runner(
    mode: GraphileMode,
    concurrency: number,
    taskList: Record<string, (payload: unknown) => Promise<void>>,
    events: EventEmitter,
  ) {
    return run({
      pgPool: this.pool,
      schema: this.schema,
      concurrency,
      noHandleSignals: true,
      logger: silent,
      events: events as never,
      taskList,
      preset: preset(mode) as never,
    });
  }

  private async waitEmpty(): Promise<void> {
    for (;;) {
      const { rows } = await this.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${this.schema}._private_jobs`,
      );
      if (rows[0]!.n === 0) return;
      await sleep(2);
    }
  }

  async close(): Promise<void> {
    await this.utils.release();
    await this.pool.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
    await this.pool.end();
  }
}

export function now(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Calls `add` `perSecond` times a second for `seconds`, on an absolute schedule (no drift). */
export async function offer(perSecond: number, seconds: number, add: () => Promise<void>): Promise<void> {
  const start = performance.now();
  const total = perSecond * seconds;
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(add());
  }
  await Promise.all(pending);
}
