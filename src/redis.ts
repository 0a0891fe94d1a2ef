import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/**
 * Redis is optional; ioredis is loaded only when a URL is configured (it costs ~20 MB of RSS).
 * Clients fail fast instead of queueing commands behind a dead connection: callers treat Redis as
 * optional and fall back (memory rate limits, no shared cache) when a command fails.
 */
export function failFastOptions(connectTimeoutMs = 2000, commandTimeoutMs = 500): RedisOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    retryStrategy: (times) => Math.min(times * 250, 5000),
  };
}

/** The shared connection for the chat cache; connects in the background. */
export async function openRedis(url: string, logger: Logger): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, failFastOptions());
  redis.on('error', (err: Error) => logger.debug({ err: err.message }, 'redis:error'));
  redis.connect().catch(() => undefined);
  return redis;
}
