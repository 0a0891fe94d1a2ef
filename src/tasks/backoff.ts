/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * the delay before retry n is uniform in [0, min(max, base * 2^(n-1))]. Full jitter spreads a burst
 * of failures over the whole window so retries do not arrive in lockstep.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Uniform in [0, 1); injectable so tests can pin the jitter. */
  random?: () => number;
}

/** The delay before the next try, after `attempts` tries have failed (attempts >= 1). */
export function backoffDelayMs(attempts: number, options: BackoffOptions): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  const random = options.random ?? Math.random;
  return Math.floor(random() * ceiling);
}
