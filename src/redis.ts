import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The shared Redis connection (chat cache). Fails fast instead of queueing commands behind a dead
 * connection: callers treat Redis as optional and fall back when a command fails.
 */
export function openRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    commandTimeout: 500,
    retryStrategy: (times) => Math.min(times * 250, 5000),
  });
  redis.on('error', (err: Error) => logger.debug({ err: err.message }, 'redis:error'));
  redis.connect().catch(() => undefined);
  return redis;
}
