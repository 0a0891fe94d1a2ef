/**
 * A bounded number of calls at once, with a bounded FIFO of waiters that each wait at most
 * `waitMs`. `acquire` resolves to a release function (idempotent) or rejects with SlotsFullError.
 */
export class SlotsFullError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SlotsFullError';
  }
}

export class Slots {
  private inFlight = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(
    private readonly limit: number,
    private readonly maxWaiting: number,
    private readonly waitMs: number,
  ) {}

  async acquire(): Promise<() => void> {
    if (this.inFlight < this.limit && this.waiters.length === 0) {
      this.inFlight += 1;
      return this.releaser();
    }
    if (this.waiters.length >= this.maxWaiting)
      throw new SlotsFullError(`${this.waiters.length} calls already waiting for a slot`);
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(grant), 1);
        reject(new SlotsFullError(`no free slot within ${this.waitMs} ms`));
      }, this.waitMs);
      this.waiters.push(grant);
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // The slot passes straight to the next waiter, so no newcomer jumps the queue.
      if (next) next();
      else this.inFlight -= 1;
    };
  }
}
