import pino from 'pino';
import { AuthService, createAuthenticator, createDbSecretProvider } from '../../../src/auth/index.js';
import type { Db } from '../../../src/db/index.js';
import { buildHttpApp } from '../../../src/http/app.js';
import { MemoryRateLimiter, type RateRule } from '../../../src/http/rate-limit.js';
import { authRoutes } from '../../../src/http/routes/auth.js';
import type { App } from '../../../src/http/types.js';
import { freshPglite } from '../../helpers/db.js';
import { collectRoutes, type CollectedRoute } from '../../helpers/routes.js';

export const ADMIN = { username: 'root', password: 'admin-password-123' };
export const USER = { username: 'ada', password: 'user-password-1234' };

export interface Harness {
  db: Db;
  app: App;
  auth: AuthService;
  routes: CollectedRoute[];
  /** Another app on the same database, e.g. with a tighter login rule. */
  makeApp(login: RateRule): Promise<App>;
  clock: { now: number; advance(ms: number): void };
  login(who: { username: string; password: string }): Promise<{ access: string; refresh: string }>;
  close(): Promise<void>;
}

/** A PGlite database with an admin and a user, and the auth routes on an app with auth enabled. */
export async function harness(): Promise<Harness> {
  const db = await freshPglite();
  const clock = {
    now: Date.UTC(2030, 0, 1),
    advance(ms: number) {
      clock.now += ms;
    },
  };
  const now = () => clock.now;
  const secretProvider = createDbSecretProvider(db);
  const auth = new AuthService({ db, secretProvider, clock: now, accessTokenTtlSeconds: 60 });
  await auth.createUser({ ...ADMIN, role: 'admin' });
  await auth.createUser({ ...USER, role: 'user' });
  const secretsAndClock = { db, secretProvider, clock: now };
  const makeApp = (login: RateRule, hook = collectRoutes().hook) =>
    buildHttpApp(
      {
        logger: pino({ level: 'silent' }),
        bodyLimitBytes: 1 << 20,
        requestTimeoutMs: 10_000,
        authEnabled: true,
        authenticator: createAuthenticator(secretsAndClock),
        rateLimiter: new MemoryRateLimiter(now),
        rateRules: { login, expensive: { max: 1000, windowSeconds: 60 } },
      },
      [hook, authRoutes({ auth })],
    );
  const collector = collectRoutes();
  const app = await makeApp({ max: 1000, windowSeconds: 60 }, collector.hook);
  const login = async (who: { username: string; password: string }) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: who });
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
    const body = res.json<{ access_token: string; refresh_token: string }>();
    return { access: body.access_token, refresh: body.refresh_token };
  };
  return {
    db,
    app,
    auth,
    routes: collector.routes,
    makeApp: (rule) => makeApp(rule),
    clock,
    login,
    close: async () => {
      await app.close();
      await db.close();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
