import type { Db } from '../db/index.js';
import type { Authenticator } from '../http/app.js';
import { createAuthenticator } from './authenticator.js';
import { createDbSecretProvider } from './secret.js';
import { AuthService } from './service.js';
import type { Logger } from 'pino';
import type { Clock } from './types.js';

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
export type { ApiKeyInfo, Clock, Role, SecretProvider, TokenPair, User } from './types.js';

export interface CreateAuthOptions {
  db: Db;
  logger?: Logger;
  clock?: Clock;
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
}

/** Builds the service and the authenticator over one database-backed signing key. */
export function createAuth(options: CreateAuthOptions): {
  service: AuthService;
  authenticator: Authenticator;
} {
  const secretProvider = createDbSecretProvider(options.db);
  return {
    service: new AuthService({ ...options, secretProvider }),
    authenticator: createAuthenticator({
      db: options.db,
      secretProvider,
      ...(options.clock ? { clock: options.clock } : {}),
    }),
  };
}
