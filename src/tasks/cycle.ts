import type { Logger } from 'pino';
import { taskClaimBatchSize, taskOutcomeBatchSize, taskOutcomeWindow } from '../metrics/index.js';
import type { ClaimOptions, Outcome, TaskQueue } from './queue.js';
import type { QueuedTask } from './rows.js';
import type { TaskStatus } from './types.js';

type Waiting = Outcome & {
  /** When the outcome was handed over (performance.now()): the start of its window. */
  at: number;
  resolve: (status: TaskStatus | undefined) => void;
  reject: (err: unknown) => void;
};

/** Most outcomes one statement writes (the rest go in the next). */
export const MAX_OUTCOMES_PER_STATEMENT = 500;
const DEFAULT_WINDOW_MS = 50;

export interface ClaimCycleOptions {
  queue: TaskQueue;
  owner: string;
  log: Logger;
  /** Claim options without the limit; undefined when the worker no longer claims. */
  claimOptions: () => Omit<ClaimOptions, 'limit' | 'owner'> | undefined;
  /** How many tasks the worker can take now (not counting claims in flight here). */
  freeSlots: () => number;
  onClaimed: (tasks: QueuedTask[]) => void;
  /** Each statement's round trip in ms (the worker sizes its local buffer from it). */
  onRoundTrip?: (ms: number) => void;
  maxOutcomes?: number;
  /** Statements in flight at once (default 1). */
  lanes?: number;
  /** True while the worker has buffered tasks waiting to start: outcomes may wait to batch. */
  busy?: () => boolean;
  /** Outcomes that make a batch worth writing at once even while busy (default 1). */
  flushCount?: () => number;
  /** Longest an outcome waits for others to join its batch (default 50 ms). */
  windowMs?: number;
}

/**
 * The worker's round trips to the database: each writes every outcome (completion or failure)
 * that arrived since the last one started and claims into the free slots, in one statement.
 * Requests are coalesced to the next turn of the event loop, so handlers that settle together
 * produce one statement. An outcome goes out at once when the worker has nothing buffered to
 * start (no delay at low load); while buffered tasks are running it may wait up to `windowMs`
 * or until `flushCount` outcomes gathered, whichever comes first. A statement carries at most
 * `maxOutcomes` outcomes; claims carry along every outcome waiting.
 *
 * Up to `lanes` statements are in flight at once: while one waits for the database, the
 * completions and freed slots gathered meanwhile go out in the next, instead of waiting for the
 * first to return. At most one of them claims (decision 0077): slots that free meanwhile go in the
 * next claim, when it returns, so claims never exceed the free slots and never trickle out a few
 * tasks at a time. Each completion is in exactly one statement.
 */
export class ClaimCycle {
  private waiting: Waiting[] = [];
  private wantClaim = false;
  private scheduled = false;
  private readonly running = new Set<Promise<void>>();
  /** A claim is in flight (there is at most one). */
  private claiming = false;
  private inFlightOutcomes = 0;
  private windowTimer: NodeJS.Timeout | undefined;
  private readonly lanes: number;

  constructor(private readonly options: ClaimCycleOptions) {
    this.lanes = Math.max(1, Math.floor(options.lanes ?? 1));
  }

  /** Asks for a claim into the free slots (after a poll, a wake-up or a freed slot). */
  requestClaim(): void {
    this.wantClaim = true;
    this.schedule();
  }

  /**
   * Resolves with the task's status once the outcome is committed, undefined when the lease had
   * been lost meanwhile; rejects when the statement failed (the row stays running and its lease
   * expires: the task runs again).
   */
  write(outcome: Outcome): Promise<TaskStatus | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ ...outcome, at: performance.now(), resolve, reject });
      this.schedule();
    });
  }

  /** Outcomes handed over and not yet committed (waiting or in flight). */
  get unwritten(): number {
    return this.waiting.length + this.inFlightOutcomes;
  }

  /** Waits until no statement is in flight and no outcome waits. */
  async idle(): Promise<void> {
    while (this.running.size > 0 || this.scheduled || this.waiting.length > 0) {
      if (this.running.size === 0 && !this.scheduled) this.schedule();
      await (this.running.size > 0 ? Promise.race(this.running) : new Promise((r) => setImmediate(r)));
    }
  }

  private schedule(): void {
    if (this.scheduled || this.running.size >= this.lanes) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.start();
    });
  }

  private start(): void {
    if (this.running.size >= this.lanes) return;
    const claim = this.wantClaim ? this.options.claimOptions() : undefined;
    // One claim in flight at a time: ask again when it returns.
    const limit = claim && !this.claiming ? this.options.freeSlots() : 0;
    this.wantClaim = !!claim && this.claiming;
    if (limit <= 0 && this.holdOutcomes()) return;
    const outcomes = this.waiting.splice(0, this.options.maxOutcomes ?? MAX_OUTCOMES_PER_STATEMENT);
    if (outcomes.length === 0 && limit <= 0) return;
    const claimWith = claim && limit > 0 ? { ...claim, owner: this.options.owner, limit } : undefined;
    if (claimWith) this.claiming = true;
    this.inFlightOutcomes += outcomes.length;
    const statement: Promise<void> = this.run(outcomes, claimWith).finally(() => {
      if (claimWith) this.claiming = false;
      this.inFlightOutcomes -= outcomes.length;
      this.running.delete(statement);
      if (this.waiting.length > 0 || this.wantClaim) this.schedule();
    });
    this.running.add(statement);
    // Another lane is free: let what gathers meanwhile go out without waiting for this one.
    if (this.waiting.length > 0 || this.wantClaim) this.schedule();
  }

  /**
   * Whether the waiting outcomes may wait for more to join them: only while the worker has
   * buffered tasks to start (writing now would delay nothing that waits), fewer than the flush
   * count are waiting, and the oldest is younger than the window. A timer ends the window.
   */
  private holdOutcomes(): boolean {
    const oldest = this.waiting[0];
    if (!oldest || !this.options.busy?.()) return false;
    if (this.waiting.length >= (this.options.flushCount?.() ?? 1)) return false;
    const windowMs = this.options.windowMs ?? DEFAULT_WINDOW_MS;
    const left = oldest.at + windowMs - performance.now();
    if (left <= 0) return false;
    if (!this.windowTimer) {
      this.windowTimer = setTimeout(() => {
        this.windowTimer = undefined;
        this.schedule();
      }, Math.ceil(left));
      this.windowTimer.unref();
    }
    return true;
  }

  private async run(outcomes: Waiting[], claim: ClaimOptions | undefined): Promise<void> {
    let claimed: QueuedTask[] = [];
    const started = performance.now();
    try {
      const result = await this.options.queue.writeAndClaim(this.options.owner, outcomes, claim);
      for (const o of outcomes) o.resolve(result.statuses.get(o.id));
      claimed = result.claimed;
    } catch (err) {
      for (const o of outcomes) o.reject(err);
      this.options.log.warn({ err }, 'task:claim:failed');
      return;
    }
    const now = performance.now();
    this.options.onRoundTrip?.(now - started);
    if (outcomes.length > 0) {
      taskOutcomeBatchSize.observe(outcomes.length);
      taskOutcomeWindow.observe((now - outcomes[0]!.at) / 1000); // the oldest: FIFO
    }
    if (claim) taskClaimBatchSize.observe(claimed.length);
    this.options.onClaimed(claimed);
    // A full batch suggests more is runnable: ask again as soon as slots free.
    if (claim && claimed.length === claim.limit) this.wantClaim = true;
  }
}
