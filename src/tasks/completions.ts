import type { TaskQueue } from './queue.js';

interface Waiting {
  id: string;
  resultJson: string;
  resolve: (held: boolean) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for completions: while one UPDATE is in flight, later completions queue up and
 * go together in the next one. One round trip then finishes many short tasks, without a timer
 * that would add latency when the queue is quiet.
 */
export class CompletionBatcher {
  private waiting: Waiting[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly queue: TaskQueue,
    private readonly owner: string,
    private readonly maxBatch = 500,
  ) {}

  /** Resolves true when the completion was written, false when the lease had been lost. */
  complete(id: string, resultJson: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ id, resultJson, resolve, reject });
      this.flushing ??= this.flush().finally(() => (this.flushing = undefined));
    });
  }

  /** Waits until every queued completion has been written (or failed). */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      try {
        const held = await this.queue.completeMany(this.owner, batch);
        for (const w of batch) w.resolve(held.has(w.id));
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
  }
}
