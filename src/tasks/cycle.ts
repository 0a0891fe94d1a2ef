import type { Logger } from 'pino';
import type { ClaimOptions, Completion, TaskQueue } from './queue.js';
import type { QueuedTask } from './rows.js';

interface Waiting extends Completion {
  resolve: (held: boolean) => void;
  reject: (err: unknown) => void;
}

export interface ClaimCycleOptions {
  queue: TaskQueue;
  owner: string;
  log: Logger;
  /** Claim options without the limit; undefined when the worker no longer claims. */
  claimOptions: () => Omit<ClaimOptions, 'limit' | 'owner'> | undefined;
  /** How many tasks the worker can take now (not counting claims in flight here). */
  freeSlots: () => number;
  onClaimed: (tasks: QueuedTask[]) => void;
  maxCompletions?: number;
  /** Statements in flight at once (default 1). */
  lanes?: number;
}

/**
 * The worker's round trips to the database: each writes every completion that finished since
 * the last one started and claims into the free slots, in one statement. Requests are coalesced
 * to the next turn of the event loop, so handlers that settle together produce one statement.
 *
 * Up to `lanes` statements are in flight at once: while one waits for the database, the
 * completions and freed slots gathered meanwhile go out in the next, instead of waiting for the
 * first to return. Slots a claim in flight may fill are reserved until it returns, so the claims
 * together never exceed the free slots. Each completion is in exactly one statement.
 */
export class ClaimCycle {
  private waiting: Waiting[] = [];
  private wantClaim = false;
  private scheduled = false;
  private readonly running = new Set<Promise<void>>();
  /** Sum of the limits of claims in flight. */
  private reserved = 0;
  private readonly lanes: number;

  constructor(private readonly options: ClaimCycleOptions) {
    this.lanes = Math.max(1, Math.floor(options.lanes ?? 1));
  }

  /** Asks for a claim into the free slots (after a poll, a wake-up or a freed slot). */
  requestClaim(): void {
    this.wantClaim = true;
    this.schedule();
  }

  /** Resolves true once written, false when the lease had been lost meanwhile. */
  complete(id: string, resultJson: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ id, resultJson, resolve, reject });
      this.schedule();
    });
  }

  /** Waits until no statement is in flight and no completion waits. */
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
    const completions = this.waiting.splice(0, this.options.maxCompletions ?? 500);
    const claim = this.wantClaim ? this.options.claimOptions() : undefined;
    const limit = claim ? this.options.freeSlots() - this.reserved : 0;
    // Slots reserved by a claim in flight: ask again when it returns.
    this.wantClaim = !!claim && limit <= 0 && this.reserved > 0;
    if (completions.length === 0 && limit <= 0) return;
    const claimWith = claim && limit > 0 ? { ...claim, owner: this.options.owner, limit } : undefined;
    this.reserved += claimWith?.limit ?? 0;
    const statement: Promise<void> = this.run(completions, claimWith).finally(() => {
      this.reserved -= claimWith?.limit ?? 0;
      this.running.delete(statement);
      if (this.waiting.length > 0 || this.wantClaim) this.schedule();
    });
    this.running.add(statement);
    // Another lane is free: let what gathers meanwhile go out without waiting for this one.
    if (this.waiting.length > 0 || this.wantClaim) this.schedule();
  }

  private async run(completions: Waiting[], claim: ClaimOptions | undefined): Promise<void> {
    let claimed: QueuedTask[] = [];
    try {
      const result = await this.options.queue.completeAndClaim(this.options.owner, completions, claim);
      for (const c of completions) c.resolve(result.completed.has(c.id));
      claimed = result.claimed;
    } catch (err) {
      for (const c of completions) c.reject(err);
      this.options.log.warn({ err }, 'task:claim:failed');
      return;
    }
    this.options.onClaimed(claimed);
    // A full batch suggests more is runnable: ask again as soon as slots free.
    if (claim && claimed.length === claim.limit) this.wantClaim = true;
  }
}
