import type { Logger } from 'pino';

export interface RateRule {
  max: number;
  windowSeconds: number;
}

export interface RateDecision {
  allowed: boolean;
  remaining: number;
  /** Seconds until the window resets; what Retry-After carries on a refusal. */
  retryAfterSeconds: number;
}

/** Fixed-window counters. Two implementations: in-process (one server) and Redis (shared). */
export interface RateLimiter {
  hit(key: string, rule: RateRule): Promise<RateDecision>;
  close(): Promise<void>;
}

/** In-process fixed windows; at most `maxKeys` live keys so a key flood cannot grow memory. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  async hit(key: string, rule: RateRule): Promise<RateDecision> {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      if (!window && this.windows.size >= this.maxKeys) this.evictExpired(now);
      window = { count: 0, resetAt: now + rule.windowSeconds * 1000 };
      this.windows.set(key, window);
    }
    window.count += 1;
    return decide(window.count, rule.max, window.resetAt - now);
  }

  private evictExpired(now: number): void {
    for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
    // Still full of live windows: drop the oldest inserted rather than grow without bound.
    while (this.windows.size >= this.maxKeys) {
      const oldest = this.windows.keys().next().value;
      if (oldest === undefined) break;
      this.windows.delete(oldest);
    }
  }

  async close(): Promise<void> {
    this.windows.clear();
  }
}

export function decide(count: number, max: number, msLeft: number): RateDecision {
  return {
    allowed: count <= max,
    remaining: Math.max(0, max - count),
    retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)),
  };
}

export interface CreateRateLimiterOptions {
  redisUrl?: string;
  logger: Logger;
  now?: () => number;
}

/** Redis-backed when a URL is configured (waits up to the connect timeout, never fails), else memory. */
export async function createRateLimiter(options: CreateRateLimiterOptions): Promise<RateLimiter> {
  if (!options.redisUrl) return new MemoryRateLimiter(options.now);
  // Loaded only when configured: ioredis costs ~20 MB of RSS in a process that never uses it.
  const { RedisRateLimiter } = await import('./redis-rate-limit.js');
  const limiter = new RedisRateLimiter({
    url: options.redisUrl,
    logger: options.logger,
    ...(options.now ? { now: options.now } : {}),
  });
  if (!(await limiter.ready())) limiter.degrade(new Error('not reachable at start'));
  return limiter;
}
