import type { Db } from '../db/index.js';
import type { Authenticator } from '../http/app.js';
import { createAuthenticator } from './authenticator.js';
import { createDbSecretProvider } from './secret.js';
import { AuthService } from './service.js';
import type { Logger } from 'pino';
import type { AuthConfigSchema } from '../config/schema.js';
import type { z } from 'zod';
import { ensureAdmin } from './ensure-admin.js';
import { pruneRefreshTokens } from './refresh-tokens.js';
import type { Clock } from './types.js';
import { createUserStatusCache } from './user-status.js';
import type { LocalCredential } from './local-credential.js';

export { createAuthenticator, invalidTokenError, type AuthenticatorOptions } from './authenticator.js';
export {
  ensureAdmin,
  generatePassword,
  type EnsureAdminOptions,
  type EnsureAdminResult,
} from './ensure-admin.js';
export { hashPassword, verifyPassword, needsRehash, DEFAULT_SCRYPT, type ScryptParams } from './password.js';
export { signAccessToken, verifyAccessToken, type AccessClaims, type VerifyFailure } from './token.js';
export { createDbSecretProvider, staticSecretProvider } from './secret.js';
export { pruneRefreshTokens } from './refresh-tokens.js';
export { API_KEY_PREFIX, hashApiKey } from './api-keys.js';
export { AuthService, type AuthServiceOptions } from './service.js';
export { ownerIdOf, ownerScopeOf } from './owner.js';
export {
  localCredentialPath,
  readLocalCredential,
  writeLocalCredential,
  type LocalCredential,
  type LocalCredentialRead,
} from './local-credential.js';
export { createUserStatusCache, type UserStatus, type UserStatusCache } from './user-status.js';
export type { ApiKeyInfo, Clock, Role, SecretProvider, TokenPair, User } from './types.js';

export interface CreateAuthOptions {
  db: Db;
  logger?: Logger;
  clock?: Clock;
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  /** Accepted from loopback on the doctor's read-only routes (src/auth/local-credential.ts). */
  localCredential?: LocalCredential;
  /** Staleness bound of the per-process user status cache (default 500 ms; docs promise ≤ 1 s). */
  userStatusTtlMs?: number;
}

/** Builds the service and the authenticator over one database-backed signing key. */
export function createAuth(options: CreateAuthOptions): {
  service: AuthService;
  authenticator: Authenticator;
} {
  const secretProvider = createDbSecretProvider(options.db);
  const clock = options.clock ? { clock: options.clock } : {};
  const userStatus = createUserStatusCache({
    db: options.db,
    ...clock,
    ...(options.userStatusTtlMs !== undefined ? { ttlMs: options.userStatusTtlMs } : {}),
  });
  return {
    service: new AuthService({ ...options, secretProvider, userStatus }),
    authenticator: createAuthenticator({
      db: options.db,
      secretProvider,
      userStatus,
      ...clock,
      ...(options.localCredential ? { localCredential: options.localCredential } : {}),
    }),
  };
}

export interface StartAuthOptions {
  db: Db;
  logger: Logger;
  config: z.infer<typeof AuthConfigSchema>;
  clock?: Clock;
  localCredential?: LocalCredential;
}

export interface StartedAuth {
  service: AuthService;
  authenticator: Authenticator;
  /** Set only on the start that created the admin with a generated password: print it once. */
  adminNotice?: string;
}

/**
 * What the composition root calls after migrations: ensures the first admin (when auth is on),
 * drops long-expired refresh tokens, and builds the service and authenticator.
 */
export async function startAuth(options: StartAuthOptions): Promise<StartedAuth> {
  const { db, logger, config } = options;
  const auth = createAuth({
    db,
    logger,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.localCredential ? { localCredential: options.localCredential } : {}),
  });
  await pruneRefreshTokens(db, new Date(options.clock?.() ?? Date.now()));
  if (!config.enabled) return auth;
  const admin = await ensureAdmin({
    db,
    logger,
    username: config.adminUsername,
    ...(config.adminPassword ? { password: config.adminPassword } : {}),
  });
  if (!admin.generatedPassword) return auth;
  return {
    ...auth,
    adminNotice:
      `First start: created admin user "${admin.username}" with password ${admin.generatedPassword}\n` +
      'It is shown only this once. Log in and keep it safe (or set SUTAZAI_ADMIN_PASSWORD before the first start).',
  };
}
