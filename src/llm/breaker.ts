/**
 * Circuit breaker, one per backend.
 *
 *   closed    --(failureThreshold consecutive backend faults)-->  open
 *   open      --(openMs elapsed, next call asks)-------------->  half-open (one trial call allowed)
 *   half-open --(trial succeeds)------------------------------>  closed
 *   half-open --(trial fails)--------------------------------->  open (timer restarts)
 *
 * Only backend faults count (network, timeout, 5xx, broken stream); an unknown model or a caller's
 * abort says nothing about the backend's health.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  failureThreshold: number;
  openMs: number;
  now?: () => number;
  onChange?: (state: BreakerState) => void;
}

export class CircuitBreaker {
  private stateValue: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;
  private lastError: string | null = null;
  private readonly now: () => number;

  constructor(private readonly options: BreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    return this.stateValue;
  }

  /** Seconds until an open breaker lets a trial through. */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.openedAt + this.options.openMs - this.now()) / 1000));
  }

  /** True when a call may go out; in half-open only one trial at a time. */
  allow(): boolean {
    if (this.stateValue === 'open' && this.now() >= this.openedAt + this.options.openMs) {
      this.set('half-open');
    }
    if (this.stateValue === 'closed') return true;
    if (this.stateValue === 'half-open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return true;
    }
    return false;
  }

  success(): void {
    this.failures = 0;
    this.trialInFlight = false;
    this.lastError = null;
    if (this.stateValue !== 'closed') this.set('closed');
  }

  /** A call that did not fault the backend (e.g. aborted) releases a half-open trial untouched. */
  neutral(): void {
    this.trialInFlight = false;
  }

  failure(reason: string): void {
    this.lastError = reason;
    this.trialInFlight = false;
    this.failures += 1;
    if (this.stateValue === 'half-open' || this.failures >= this.options.failureThreshold) {
      this.openedAt = this.now();
      this.set('open');
    }
  }

  detail(): Record<string, unknown> {
    return { state: this.stateValue, consecutiveFailures: this.failures, lastError: this.lastError };
  }

  private set(state: BreakerState): void {
    this.stateValue = state;
    this.options.onChange?.(state);
  }
}
