/**
 * CrashLoopBackOff as Kubernetes does it: after the n-th consecutive failure wait
 * base * 2^(n-1), capped at max; a run that stayed up for `resetAfterMs` clears the count.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  resetAfterMs: number;
}

export function backoffDelay(policy: BackoffPolicy, consecutiveFailures: number): number {
  if (consecutiveFailures <= 0) return 0;
  const exp = Math.min(consecutiveFailures - 1, 30);
  return Math.min(policy.baseMs * 2 ** exp, policy.maxMs);
}

/** The failure count after an instance that ran for `uptimeMs` failed. */
export function nextFailureCount(policy: BackoffPolicy, previous: number, uptimeMs: number): number {
  return uptimeMs >= policy.resetAfterMs ? 1 : previous + 1;
}
