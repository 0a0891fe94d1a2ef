/**
 * Restart budget for unhealthy containers: at most `max` restarts per container within
 * `windowSeconds`, and between two restarts a backoff that doubles from backoffMinMs to backoffMaxMs.
 */
export class RestartBudget {
  private readonly history = new Map<string, number[]>();
  constructor(
    private readonly opts: { max: number; windowSeconds: number; backoffMinMs: number; backoffMaxMs: number },
  ) {}

  /** ms to wait before the next restart is allowed; Infinity when the budget is spent; 0 when allowed now. */
  waitMs(id: string, now: number): number {
    const recent = (this.history.get(id) ?? []).filter((t) => now - t < this.opts.windowSeconds * 1000);
    this.history.set(id, recent);
    if (recent.length >= this.opts.max) return Infinity;
    if (recent.length === 0) return 0;
    const backoff = Math.min(this.opts.backoffMaxMs, this.opts.backoffMinMs * 2 ** (recent.length - 1));
    return Math.max(0, recent[recent.length - 1]! + backoff - now);
  }

  record(id: string, now: number): void {
    this.history.set(id, [...(this.history.get(id) ?? []), now]);
  }
}
