/**
 * The worker's local buffer: tasks claimed (leased, attempt counted) but not started yet, so a
 * handler that finishes starts the next task without a round trip to the database.
 *
 * States of a buffered task:
 *
 *   claimed  --a handler slot frees-->                                     started (leaves the buffer)
 *   claimed  --held longer than holdMs, or the worker drains-->            returned (pending again,
 *                                                                           attempt refunded, run_at kept)
 *   claimed  --the process dies-->                                         lease expires, reaped (the
 *                                                                           attempt counts: the reaper cannot
 *                                                                           tell started from unstarted)
 *
 * The buffer keeps claim order (priority, then run_at, then id) across claims, so a
 * higher-priority task claimed later starts before lower ones claimed earlier.
 *
 * Its size follows the work: enough tasks to keep `concurrency` handlers busy for
 * `roundTrips` claim round trips at the measured handler time, bounded by `max`. Slow handlers
 * (a 100 ms probe against a 2 ms round trip) get no buffer at all; no-op handlers get `max`.
 */
import type { QueuedTask } from './rows.js';

export interface BufferSizing {
  concurrency: number;
  /** Upper bound of the buffer (config worker.claimBufferMax; 0 turns the buffer off). */
  max: number;
  /** Round trips of handler work the buffer covers (default 4). */
  roundTrips?: number;
}

interface Held {
  task: QueuedTask;
  claimedAt: number;
}

/** Exponentially weighted moving average; undefined until the first sample. */
class Ewma {
  value: number | undefined;
  constructor(private readonly weight: number) {}
  add(sample: number): void {
    this.value = this.value === undefined ? sample : this.value + this.weight * (sample - this.value);
  }
}

export class LocalBuffer {
  private held: Held[] = [];
  private readonly handlerMs = new Ewma(0.05);
  private readonly roundTripMs = new Ewma(0.1);

  constructor(private readonly sizing: BufferSizing) {}

  get size(): number {
    return this.held.length;
  }

  /** The claimed time (performance.now()) of the task held longest; undefined when empty. */
  get oldestClaimedAt(): number | undefined {
    let oldest: number | undefined;
    for (const h of this.held) if (oldest === undefined || h.claimedAt < oldest) oldest = h.claimedAt;
    return oldest;
  }

  noteHandlerMs(ms: number): void {
    this.handlerMs.add(Math.max(ms, 0.001));
  }

  noteRoundTripMs(ms: number): void {
    this.roundTripMs.add(Math.max(ms, 0.01));
  }

  /**
   * How many tasks the buffer should hold beyond the running ones: 0 until a handler time and a
   * round trip were measured, then concurrency x roundTrips x roundTrip / handler, bounded.
   */
  target(): number {
    const { concurrency, max, roundTrips = 4 } = this.sizing;
    const handler = this.handlerMs.value;
    const trip = this.roundTripMs.value;
    if (max <= 0 || handler === undefined || trip === undefined) return 0;
    return Math.min(max, Math.round((concurrency * roundTrips * trip) / handler));
  }

  /** Adds claimed tasks, keeping claim order across claims. */
  add(tasks: readonly QueuedTask[], now = performance.now()): void {
    if (tasks.length === 0) return;
    this.held.push(...tasks.map((task) => ({ task, claimedAt: now })));
    this.held.sort((a, b) => claimOrder(a.task, b.task));
  }

  /** The next task to start, in claim order. */
  take(): QueuedTask | undefined {
    return this.held.shift()?.task;
  }

  /** Empties the buffer (to return its tasks). */
  takeAll(): QueuedTask[] {
    const all = this.held.map((h) => h.task);
    this.held = [];
    return all;
  }

  ids(): string[] {
    return this.held.map((h) => h.task.id);
  }

  /** Drops tasks whose lease was lost or that were cancelled (a heartbeat said so). */
  remove(ids: ReadonlySet<string>): QueuedTask[] {
    const gone = this.held.filter((h) => ids.has(h.task.id)).map((h) => h.task);
    if (gone.length > 0) this.held = this.held.filter((h) => !ids.has(h.task.id));
    return gone;
  }
}

export function claimOrder(a: QueuedTask, b: QueuedTask): number {
  return b.priority - a.priority || a.runAt.getTime() - b.runAt.getTime() || (a.id < b.id ? -1 : 1);
}
