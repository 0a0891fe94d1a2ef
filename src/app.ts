import path from 'node:path';
import type { Logger } from 'pino';
import { agentsRoutes, createAgentStore, startStaleAgentSweep, syncAgentFiles } from './agents/index.js';
import { assertSafeBind, type Config } from './config/index.js';
import { migrate, openDb, type Db } from './db/index.js';
import { SutazaiError } from './errors.js';
import { databaseProbe, HealthRegistry } from './health/index.js';
import { buildHttpApp, type Authenticator, type RouteModule } from './http/app.js';
import { MemoryRateLimiter, type RateLimiter } from './http/rate-limit.js';
import { healthRoutes } from './http/routes/health.js';
import { metricsRoutes } from './http/routes/metrics.js';
import type { App } from './http/types.js';
import { VERSION } from './version.js';

/**
 * The composition root: builds every part from config, passes dependencies explicitly, and owns
 * the order of start and shutdown. Nothing else constructs long-lived objects.
 */
export type Role = 'all' | 'api' | 'worker';

export interface PlatformOptions {
  config: Config;
  logger: Logger;
  role?: Role;
  /** For tests: embedded PostgreSQL in memory instead of the data dir. */
  inMemoryDb?: boolean;
}

export interface Platform {
  readonly config: Config;
  readonly db: Db;
  readonly app: App;
  /** Lines to show the person running the CLI once (e.g. a generated first-run admin password). */
  readonly notices: readonly string[];
  /** Listens on config.http host/port (port 0 picks a free one); returns the base URL. */
  listen(): Promise<string>;
  /** Drains and closes everything, in order; idempotent. */
  close(): Promise<void>;
}

export async function createPlatform(options: PlatformOptions): Promise<Platform> {
  const { config, logger } = options;
  assertSafeBind(config);
  const startedAt = Date.now();
  const db = await openDb({
    ...(config.database.url ? { url: config.database.url } : {}),
    dataDir: path.resolve(config.dataDir),
    poolMax: config.database.poolMax,
    statementTimeoutMs: config.database.statementTimeoutMs,
    inMemory: options.inMemoryDb ?? false,
  });
  const closers: Array<() => Promise<void>> = [() => db.close()];
  let shuttingDown = false;
  try {
    const migrated = await migrate(db);
    if (migrated.applied.length) logger.info({ applied: migrated.applied }, 'db:migrate:applied');

    if (config.agents.syncOnStart) {
      const sync = await syncAgentFiles({ db, dir: path.resolve(config.agentsDir), logger });
      logger.info(
        { synced: sync.synced, skipped: sync.skipped.length, removed: sync.removed.length },
        'agents:sync:done',
      );
    }
    const sweep = startStaleAgentSweep({
      db,
      logger,
      staleAfterMs: config.agents.staleAfterMs,
      intervalMs: config.agents.staleSweepIntervalMs,
    });
    closers.unshift(() => sweep.stop());

    const health = new HealthRegistry({ intervalMs: 5000, timeoutMs: 2000 });
    health.add(databaseProbe(db));

    const rateLimiter: RateLimiter = new MemoryRateLimiter();
    closers.unshift(() => rateLimiter.close());
    const authenticator: Authenticator = { authenticate: async () => undefined };

    const routes: RouteModule[] = [
      healthRoutes({ health, version: VERSION, startedAt }),
      metricsRoutes({ samplers: [] }),
      agentsRoutes({ store: createAgentStore(db) }),
    ];
    const app = await buildHttpApp(
      {
        logger,
        bodyLimitBytes: config.http.bodyLimitBytes,
        requestTimeoutMs: config.http.requestTimeoutMs,
        authEnabled: config.auth.enabled,
        authenticator,
        rateLimiter,
        rateRules: config.rateLimit,
        isShuttingDown: () => shuttingDown,
      },
      routes,
    );
    closers.unshift(() => app.close());

    const notices: string[] = [];
    let closing: Promise<void> | undefined;
    return {
      config,
      notices,
      db,
      app,
      async listen() {
        try {
          return await app.listen({ host: config.http.host, port: config.http.port });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
          throw new SutazaiError('SUTAZAI_ERR_HTTP_PORT_IN_USE', {
            host: config.http.host,
            port: config.http.port,
          });
        }
      },
      close() {
        shuttingDown = true;
        return (closing ??= runClosers(closers, logger));
      },
    };
  } catch (err) {
    await runClosers(closers, logger);
    throw err;
  }
}

/** Runs every closer in order even when one fails; the first failure is rethrown at the end. */
async function runClosers(closers: ReadonlyArray<() => Promise<void>>, logger: Logger): Promise<void> {
  let first: unknown;
  for (const close of closers) {
    try {
      await close();
    } catch (err) {
      logger.error({ err }, 'platform:close:failed');
      first ??= err;
    }
  }
  if (first) throw first;
}
