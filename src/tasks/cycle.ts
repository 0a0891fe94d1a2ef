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
  /** How many tasks the worker can take now. */
  freeSlots: () => number;
  onClaimed: (tasks: QueuedTask[]) => void;
  maxCompletions?: number;
}

/**
 * The worker's round trips to the database, one at a time: each writes every completion that
 * finished since the last one and claims into the free slots, in one statement. Requests are
 * coalesced to the next turn of the event loop, so handlers that settle together produce one
 * statement, and while one is in flight the next batch gathers (group commit).
 */
export class ClaimCycle {
  private waiting: Waiting[] = [];
  private wantClaim = false;
  private scheduled = false;
  private running: Promise<void> | undefined;

  constructor(private readonly options: ClaimCycleOptions) {}

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
    while (this.running || this.scheduled || this.waiting.length > 0) {
      if (!this.running && !this.scheduled) this.schedule();
      await (this.running ?? new Promise((r) => setImmediate(r)));
    }
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.start();
    });
  }

  private start(): void {
    const completions = this.waiting.splice(0, this.options.maxCompletions ?? 500);
    const claim = this.wantClaim ? this.options.claimOptions() : undefined;
    const limit = claim ? this.options.freeSlots() : 0;
    this.wantClaim = false;
    if (completions.length === 0 && limit <= 0) return;
    const claimWith = claim && limit > 0 ? { ...claim, owner: this.options.owner, limit } : undefined;
    this.running = this.run(completions, claimWith).finally(() => {
      this.running = undefined;
      if (this.waiting.length > 0 || this.wantClaim) this.schedule();
    });
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
