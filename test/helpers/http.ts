import pino from 'pino';
import { buildHttpApp, type Authenticator, type HttpOptions, type RouteModule } from '../../src/http/app.js';
import { MemoryRateLimiter } from '../../src/http/rate-limit.js';
import type { App } from '../../src/http/types.js';

/** An app with the production hooks and the given routes; auth off unless an authenticator is given. */
export async function buildTestApp(
  routes: RouteModule[],
  overrides: Partial<HttpOptions> & { authenticator?: Authenticator } = {},
): Promise<App> {
  return buildHttpApp(
    {
      logger: pino({ level: 'silent' }),
      bodyLimitBytes: 64 * 1024,
      requestTimeoutMs: 10_000,
      authEnabled: overrides.authenticator !== undefined,
      authenticator: { authenticate: async () => undefined },
      rateLimiter: new MemoryRateLimiter(),
      rateRules: { login: { max: 5, windowSeconds: 60 }, expensive: { max: 1000, windowSeconds: 60 } },
      ...overrides,
    },
    routes,
  );
}
