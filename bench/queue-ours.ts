/**
 * Our queue's side of the queue benches: one worker over a loaded backlog of no-op tasks.
 * LANES overrides the worker's statements in flight (default 3), to compare.
 */
import pino from 'pino';
import {
  listenForTasks,
  TaskQueue,
  Worker,
  type ClaimOptions,
  type Outcome,
  type TaskHandler,
} from '../src/tasks/index.js';
import type { BenchDb } from './common.js';

const log = pino({ level: 'silent' });

/** Counts committed outcomes so the clock stops when the last one is durable. */
export class CountingQueue extends TaskQueue {
  written = 0;
  onProgress: () => void = () => undefined;
  override async writeAndClaim(owner: string, outcomes: readonly Outcome[], claim: ClaimOptions | undefined) {
    const result = await super.writeAndClaim(owner, outcomes, claim);
    this.written += result.statuses.size;
    this.onProgress();
    return result;
  }
}

export function queueFor(bench: BenchDb, notify = false): CountingQueue {
  return new CountingQueue(bench.db, {
    maxPending: 10_000_000,
    defaultMaxAttempts: 5,
    backoffBaseMs: 1000,
    backoffMaxMs: 60_000,
    asyncWorkerCommits: false,
    notify,
  });
}

export function workerFor(
  bench: BenchDb,
  queue: TaskQueue,
  concurrency: number,
  handlers: ReadonlyMap<string, TaskHandler>,
  subscribe = false,
): Worker {
  return new Worker({
    queue,
    db: bench.db,
    log,
    handlers,
    concurrency,
    pollIntervalMs: 500,
    ...(process.env.LANES ? { lanes: Number(process.env.LANES) } : {}),
    leaseMs: 30_000,
    drainTimeoutMs: 5000,
    ...(subscribe ? { subscribe: listenForTasks(bench.url!, log) } : {}),
  });
}

/** No-op tasks per second through one worker at `concurrency`, `tasks` loaded beforehand. */
export async function ours(bench: BenchDb, concurrency: number, tasks: number): Promise<number> {
  await bench.reset();
  const queue = queueFor(bench);
  await queue.enqueueMany(Array.from({ length: tasks }, () => ({ type: 'noop' })));
  const done = new Promise<void>((resolve) => (queue.onProgress = () => queue.written >= tasks && resolve()));
  const worker = workerFor(bench, queue, concurrency, new Map([['noop', async () => null]]));
  const keepAlive = setInterval(() => undefined, 1000); // worker timers are unref'd
  const started = performance.now();
  await worker.start();
  await done;
  const seconds = (performance.now() - started) / 1000;
  clearInterval(keepAlive);
  await worker.stop();
  return tasks / seconds;
}
