import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { rateLimitBackendErrors } from '../metrics/index.js';
import { failFastOptions } from '../redis.js';
import {
  MemoryRateLimiter,
  decide,
  type RateDecision,
  type RateLimiter,
  type RateRule,
} from './rate-limit.js';

/**
 * Fixed-window counters in Redis, shared by every process that points at the same server.
 * One Lua script per hit: INCR, and set the window's expiry when the key has none (first hit, or
 * a key left without TTL), so count and expiry can never drift apart.
 *
 * When Redis cannot answer (down, slow past the command timeout, not yet connected) the hit is
 * decided by an in-process MemoryRateLimiter instead: limits stay enforced per process rather than
 * failing open (docs/decisions/0010-rate-limit-redis-fallback.md). The switch is logged once per
 * outage, and again when Redis answers again.
 */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

export interface RedisRateLimiterOptions {
  url: string;
  logger: Logger;
  /** Prefix for every key; default `sutazai:rl:`. */
  keyPrefix?: string;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  /** Clock for the in-memory fallback. */
  now?: () => number;
}

type HitCommand = (key: string, windowMs: number) => Promise<[number, number]>;

export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;
  private readonly fallback: MemoryRateLimiter;
  private readonly log: Logger;
  private readonly prefix: string;
  private readonly connectTimeoutMs: number;
  private degraded = false;
  private closing: Promise<void> | undefined;

  constructor(options: RedisRateLimiterOptions) {
    this.log = options.logger;
    this.prefix = options.keyPrefix ?? 'sutazai:rl:';
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2000;
    this.fallback = new MemoryRateLimiter(options.now);
    // Fail fast instead of queueing behind a dead connection: a request must not wait on Redis.
    this.redis = new Redis(
      options.url,
      failFastOptions(this.connectTimeoutMs, options.commandTimeoutMs ?? 500),
    );
    this.redis.defineCommand('sutazaiRateHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    // Reconnect attempts emit errors; hits report outages, so these are only debug noise.
    this.redis.on('error', (err: Error) => this.log.debug({ err: err.message }, 'redis rate limiter error'));
    this.redis.connect().catch(() => undefined);
  }

  /** Resolves true once connected, false if not within the connect timeout (hits then use memory). */
  async ready(): Promise<boolean> {
    if (this.redis.status === 'ready') return true;
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), this.connectTimeoutMs);
      this.redis.on('ready', onReady);
    });
  }

  async hit(key: string, rule: RateRule): Promise<RateDecision> {
    const windowMs = rule.windowSeconds * 1000;
    try {
      if (this.redis.status !== 'ready') throw new Error(`redis is ${this.redis.status}`);
      const command = (this.redis as unknown as { sutazaiRateHit: HitCommand }).sutazaiRateHit;
      const [count, ttl] = await command.call(this.redis, this.prefix + key, windowMs);
      this.recovered();
      return decide(Number(count), rule.max, Number(ttl));
    } catch (err) {
      this.degrade(err);
      return this.fallback.hit(key, rule);
    }
  }

  /** Records that Redis could not answer; warns once per outage. */
  degrade(err: unknown): void {
    rateLimitBackendErrors.inc();
    if (this.degraded) return;
    this.degraded = true;
    this.log.warn(
      { event: 'ratelimit:redis:down', err: (err as Error).message },
      'Redis unavailable: rate limits fall back to per-process memory counters',
    );
  }

  private recovered(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.log.info({ event: 'ratelimit:redis:recovered' }, 'Redis answers again: rate limits are shared');
  }

  /** Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.redis.status === 'ready') await this.redis.quit().catch(() => undefined);
      this.redis.disconnect();
      await this.fallback.close();
    })();
    return this.closing;
  }
}
