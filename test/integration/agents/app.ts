import type { FastifyRequest } from 'fastify';
import { agentsRoutes, createAgentStore } from '../../../src/agents/index.js';
import type { Db } from '../../../src/db/index.js';
import { buildHttpApp, type Authenticator } from '../../../src/http/app.js';
import { MemoryRateLimiter } from '../../../src/http/rate-limit.js';
import type { App, Principal } from '../../../src/http/types.js';
import { silentLogger } from './helpers.js';

/** Tokens `admin` and `user` name a principal of that role; anything else is unauthenticated. */
export const fakeAuthenticator: Authenticator = {
  async authenticate(request: FastifyRequest): Promise<Principal | undefined> {
    const token = request.headers.authorization?.replace(/^Bearer /, '');
    if (token === 'admin' || token === 'user') return { kind: 'user', id: token, name: token, role: token };
    return undefined;
  },
};

export function buildAgentsApp(db: Db, authEnabled = false): Promise<App> {
  return buildHttpApp(
    {
      logger: silentLogger,
      bodyLimitBytes: 1024 * 1024,
      requestTimeoutMs: 10_000,
      authEnabled,
      authenticator: fakeAuthenticator,
      rateLimiter: new MemoryRateLimiter(),
      rateRules: { login: { max: 10, windowSeconds: 60 }, expensive: { max: 1000, windowSeconds: 60 } },
    },
    [agentsRoutes({ store: createAgentStore(db) })],
  );
}
