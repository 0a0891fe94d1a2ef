import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/index.js';
import { SutazaiError } from '../errors.js';
import type { Authenticator } from '../http/app.js';
import type { Principal } from '../http/types.js';
import { looksLikeApiKey, resolveApiKey, touchApiKey } from './api-keys.js';
import {
  LOCAL_CREDENTIAL_SCOPE,
  isLoopbackAddress,
  looksLikeLocalCredential,
  type LocalCredential,
} from './local-credential.js';
import { verifyAccessToken } from './token.js';
import type { Clock, SecretProvider } from './types.js';
import { createUserStatusCache, type UserStatusCache } from './user-status.js';

export interface AuthenticatorOptions {
  db: Db;
  secretProvider: SecretProvider;
  clock?: Clock;
  /** Current status of a token's user; a disabled, deleted or re-passworded user's tokens stop. */
  userStatus?: UserStatusCache;
  /** This process's local credential (src/auth/local-credential.ts); absent: it is refused. */
  localCredential?: LocalCredential;
  /** last_used_at is written at most this often per key (default one minute). */
  touchIntervalMs?: number;
  /** Keys remembered for the touch throttle; bounded so a key flood cannot grow memory. */
  maxTrackedKeys?: number;
}

/** Thrown when a credential was presented but is not valid; public routes ignore it. */
export function invalidTokenError(): SutazaiError {
  return new SutazaiError(
    'SUTAZAI_ERR_AUTH_INVALID_TOKEN',
    {},
    { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } },
  );
}

/** The credential a request presents: `X-API-Key`, or `Authorization: Bearer <token or key>`. */
export function presentedCredential(request: FastifyRequest): string | undefined | null {
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey !== '') return apiKey.trim();
  const header = request.headers.authorization;
  if (header === undefined || header === '') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null; // null: some other scheme, which we do not accept
}

/**
 * Resolves access tokens (signature and expiry, then the user's status from a cache that is at
 * most `ttlMs` stale) and API keys (one indexed lookup by hash, which checks the owner) to a
 * Principal. No credential: undefined. A credential that does not verify:
 * throws SUTAZAI_ERR_AUTH_INVALID_TOKEN, so the client learns to refresh rather than to log in.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const now = options.clock ?? Date.now;
  const touchEvery = options.touchIntervalMs ?? 60_000;
  const maxTracked = options.maxTrackedKeys ?? 10_000;
  const touchedAt = new Map<string, number>();
  const userStatus = options.userStatus ?? createUserStatusCache({ db: options.db, clock: now });

  const touch = (id: string, nowMs: number, lastUsed: Date | null): void => {
    const last = Math.max(touchedAt.get(id) ?? 0, lastUsed?.getTime() ?? 0);
    if (nowMs - last < touchEvery) return;
    if (touchedAt.size >= maxTracked) touchedAt.clear();
    touchedAt.set(id, nowMs);
    // Fire and forget: bookkeeping must not slow or fail the request.
    void touchApiKey(options.db, id, new Date(nowMs), touchEvery).catch(() => touchedAt.delete(id));
  };

  const byApiKey = async (key: string): Promise<Principal> => {
    const nowMs = now();
    const resolved = await resolveApiKey(options.db, key, new Date(nowMs));
    if (!resolved) throw invalidTokenError();
    touch(resolved.id, nowMs, resolved.lastUsedAt);
    return {
      kind: 'api_key',
      id: resolved.id,
      name: resolved.name,
      role: resolved.role,
      userId: resolved.userId,
    };
  };

  const byAccessToken = async (token: string): Promise<Principal> => {
    const result = verifyAccessToken(token, await options.secretProvider.signingKey(), now());
    if (!result.ok) throw invalidTokenError();
    const { sub, name, iat } = result.claims;
    const status = await userStatus.get(sub);
    if (!status || status.disabled || iat < status.tokensValidAfterSec) throw invalidTokenError();
    // The current role, not the one at login: a demotion takes effect with the status TTL too.
    return { kind: 'user', id: sub, name, role: status.role, userId: sub };
  };

  const byLocalCredential = (request: FastifyRequest, credential: string): Principal => {
    const inScope = LOCAL_CREDENTIAL_SCOPE.some(
      (r) => r.method === request.method && r.url === request.routeOptions.url,
    );
    const local = isLoopbackAddress(request.socket?.remoteAddress);
    if (!options.localCredential?.matches(credential) || !local || !inScope) throw invalidTokenError();
    return { kind: 'local', id: 'local', name: 'local doctor', role: 'user', userId: null };
  };

  return {
    async authenticate(request) {
      const credential = presentedCredential(request);
      if (credential === undefined) return undefined;
      if (credential === null) throw invalidTokenError();
      if (looksLikeLocalCredential(credential)) return byLocalCredential(request, credential);
      return looksLikeApiKey(credential) ? byApiKey(credential) : byAccessToken(credential);
    },
  };
}
