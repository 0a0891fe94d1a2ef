import type { Logger } from 'pino';
import type { Db, Queryable } from '../db/index.js';
import { SutazaiError } from '../errors.js';
import { authLogins } from '../metrics/index.js';
import type { Principal } from '../http/types.js';
import { apiKeyOwner, insertApiKey, listApiKeys, revokeApiKey } from './api-keys.js';
import { clearFirstRun, firstRunHint, readFirstRun } from './first-run.js';
import { hashPassword, verifyPassword } from './password.js';
import {
  consumeRefreshToken,
  issueRefreshToken,
  revokeAllRefreshTokens,
  revokeRefreshToken,
} from './refresh-tokens.js';
import { signAccessToken } from './token.js';
import type { ApiKeyInfo, Clock, Role, SecretProvider, TokenPair, User } from './types.js';
import { ownerIdOf } from './owner.js';
import type { UserStatusCache } from './user-status.js';
import {
  deleteUser,
  findPasswordHash,
  findUserById,
  findUserByUsername,
  insertUser,
  listUsers,
  otherEnabledAdmins,
  setUserDisabled,
  updatePassword,
} from './users.js';

export interface AuthServiceOptions {
  db: Db;
  secretProvider: SecretProvider;
  clock?: Clock;
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  logger?: Logger;
  /** Told about every change to a user, so this process enforces it at once. */
  userStatus?: Pick<UserStatusCache, 'invalidate'>;
}

const invalidCredentials = () => new SutazaiError('SUTAZAI_ERR_AUTH_INVALID_CREDENTIALS');
const invalidToken = () => new SutazaiError('SUTAZAI_ERR_AUTH_INVALID_TOKEN');

/**
 * Login, refresh rotation, logout, users and API keys. Permission rules for keys live here so
 * every caller (HTTP, CLI) applies the same ones: a user manages only their own keys and may only
 * create `user` keys; an admin sees and revokes all keys and may create admin keys.
 */
export class AuthService {
  private readonly db: Db;
  private readonly secrets: SecretProvider;
  private readonly now: Clock;
  private readonly accessTtl: number;
  private readonly refreshTtl: number;
  private readonly log: Logger | undefined;
  private readonly userStatus: Pick<UserStatusCache, 'invalidate'> | undefined;
  /** Unknown usernames are checked against this so a miss costs as much as a wrong password. */
  private dummyHash: Promise<string> | undefined;

  constructor(options: AuthServiceOptions) {
    this.db = options.db;
    this.secrets = options.secretProvider;
    this.now = options.clock ?? Date.now;
    this.accessTtl = options.accessTokenTtlSeconds ?? 900;
    this.refreshTtl = options.refreshTokenTtlSeconds ?? 7 * 24 * 3600;
    this.log = options.logger;
    this.userStatus = options.userStatus;
  }

  /** Same error, and comparable time, for an unknown user, a disabled one and a wrong password. */
  async login(username: string, password: string): Promise<TokenPair> {
    const user = await findUserByUsername(this.db, username);
    const hash = user?.passwordHash ?? (await (this.dummyHash ??= hashPassword('not-a-real-password')));
    const matches = await verifyPassword(password, hash);
    if (!user || !matches || user.disabled) {
      authLogins.inc({ outcome: 'failure' });
      this.log?.info({ event: 'auth:login:failed' }, 'login failed');
      throw invalidCredentials();
    }
    authLogins.inc({ outcome: 'success' });
    await clearFirstRun(this.db);
    return this.issue(user);
  }

  /** Rotates a refresh token; a reused (already revoked) token revokes all of the user's tokens. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const now = new Date(this.now());
    const result = await this.db.transaction((tx) => consumeRefreshToken(tx, refreshToken, now));
    if (!result.ok) {
      if (result.reason === 'reused' && result.userId) {
        const revoked = await revokeAllRefreshTokens(this.db, result.userId, now);
        this.log?.warn(
          { event: 'auth:refresh:reused', userId: result.userId, revoked },
          'refresh token reuse',
        );
      }
      throw invalidToken();
    }
    const user = await findUserById(this.db, result.userId);
    if (!user || user.disabled) throw invalidToken();
    return this.issue(user);
  }

  /** Whether nobody has signed in since the admin was created with a generated password. */
  async firstRun(): Promise<{ firstRun: boolean; hint: string | null }> {
    const run = await readFirstRun(this.db);
    return run ? { firstRun: true, hint: firstRunHint(run) } : { firstRun: false, hint: null };
  }

  async logout(refreshToken: string): Promise<void> {
    await revokeRefreshToken(this.db, refreshToken, new Date(this.now()));
  }

  /** Logs a user out everywhere: their refresh tokens stop working (access tokens run out by TTL). */
  async logoutAll(userId: string): Promise<number> {
    return revokeAllRefreshTokens(this.db, userId, new Date(this.now()));
  }

  private async issue(user: Pick<User, 'id' | 'username' | 'role'>): Promise<TokenPair> {
    const key = await this.secrets.signingKey();
    const nowMs = this.now();
    const { token } = signAccessToken(user, key, { nowMs, ttlSeconds: this.accessTtl });
    const refreshToken = await issueRefreshToken(this.db, user.id, new Date(nowMs), this.refreshTtl);
    return {
      accessToken: token,
      expiresIn: this.accessTtl,
      refreshToken,
      refreshExpiresIn: this.refreshTtl,
      user: { id: user.id, username: user.username, role: user.role },
    };
  }

  async createUser(input: { username: string; password: string; role: Role }): Promise<User> {
    const user = await insertUser(this.db, input);
    if (!user) throw new SutazaiError('SUTAZAI_ERR_AUTH_USERNAME_TAKEN', { username: input.username });
    this.log?.info({ event: 'auth:user:created', userId: user.id, role: user.role }, 'user created');
    return user;
  }

  listUsers(): Promise<User[]> {
    return listUsers(this.db);
  }

  /** The user a principal acts for: itself, or the owner of the API key; null for anonymous. */
  async ownerOf(principal: Principal): Promise<string | null> {
    if (principal.kind === 'user') return principal.id;
    if (principal.kind === 'api_key') return (await apiKeyOwner(this.db, principal.id)) ?? null;
    return null;
  }

  /**
   * Changes the caller's own password after checking the current one. Every refresh token of the
   * user is revoked and access tokens issued before this second are refused (other sessions end
   * within the status TTL); the caller gets a fresh pair so this session continues. API keys stay.
   */
  async changePassword(principal: Principal, current: string, next: string): Promise<TokenPair> {
    const userId = principal.kind === 'user' ? principal.id : principal.userId;
    if (!userId) throw new SutazaiError('SUTAZAI_ERR_AUTH_NOT_A_USER');
    const hash = await findPasswordHash(this.db, userId);
    if (!hash || !(await verifyPassword(current, hash))) throw invalidCredentials();
    const now = new Date(this.now());
    await updatePassword(this.db, userId, next, now);
    await revokeAllRefreshTokens(this.db, userId, now);
    this.userStatus?.invalidate(userId);
    const user = await findUserById(this.db, userId);
    if (!user || user.disabled) throw invalidCredentials();
    this.log?.info({ event: 'auth:password:changed', userId }, 'password changed');
    return this.issue(user);
  }

  /**
   * Disables or re-enables a user. Disabling revokes their refresh tokens; their access tokens
   * and API keys are refused from the next request on this process and within the status TTL on
   * the others. Re-enabling brings the API keys back; sessions need a new login.
   */
  async setDisabled(actor: Principal, id: string, disabled: boolean): Promise<User> {
    if (disabled) this.refuseSelf(actor, id, 'disable');
    const user = await this.db.transaction(async (tx) => {
      if (disabled) await this.refuseLastAdmin(tx, id);
      return UUID.test(id) ? setUserDisabled(tx, id, disabled) : undefined;
    });
    if (!user) throw new SutazaiError('SUTAZAI_ERR_AUTH_USER_NOT_FOUND', { id });
    if (disabled) await revokeAllRefreshTokens(this.db, id, new Date(this.now()));
    this.userStatus?.invalidate(id);
    this.log?.info(
      { event: disabled ? 'auth:user:disabled' : 'auth:user:enabled', userId: id },
      'user updated',
    );
    return user;
  }

  /** Deletes a user with their API keys and refresh tokens; what they own stays, visible to admins. */
  async deleteUser(actor: Principal, id: string): Promise<void> {
    this.refuseSelf(actor, id, 'delete');
    const deleted = await this.db.transaction(async (tx) => {
      await this.refuseLastAdmin(tx, id);
      return UUID.test(id) && (await deleteUser(tx, id));
    });
    if (!deleted) throw new SutazaiError('SUTAZAI_ERR_AUTH_USER_NOT_FOUND', { id });
    this.userStatus?.invalidate(id);
    this.log?.info({ event: 'auth:user:deleted', userId: id }, 'user deleted');
  }

  private refuseSelf(actor: Principal, id: string, action: string): void {
    if (ownerIdOf(actor) === id) throw new SutazaiError('SUTAZAI_ERR_AUTH_SELF', { action });
  }

  private async refuseLastAdmin(tx: Queryable, id: string): Promise<void> {
    if (!UUID.test(id)) return;
    const target = await findUserById(tx, id);
    if (target?.role !== 'admin' || target.disabled) return;
    if ((await otherEnabledAdmins(tx, id)) === 0)
      throw new SutazaiError('SUTAZAI_ERR_AUTH_LAST_ADMIN', { id });
  }

  async createApiKey(
    principal: Principal,
    input: { name: string; role?: Role; expiresInDays?: number },
  ): Promise<{ key: string; info: ApiKeyInfo }> {
    const role = input.role ?? 'user';
    if (role === 'admin' && principal.role !== 'admin') {
      throw new SutazaiError('SUTAZAI_ERR_AUTH_FORBIDDEN', { role: 'admin' });
    }
    const now = new Date(this.now());
    const expiresAt = input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null;
    const userId = await this.ownerOf(principal);
    const created = await insertApiKey(this.db, { name: input.name, role, userId, expiresAt, now });
    this.log?.info({ event: 'auth:key:created', keyId: created.info.id, role }, 'API key created');
    return created;
  }

  async listApiKeys(principal: Principal): Promise<ApiKeyInfo[]> {
    if (principal.role === 'admin') return listApiKeys(this.db);
    const owner = await this.ownerOf(principal);
    return owner ? listApiKeys(this.db, owner) : [];
  }

  async revokeApiKey(principal: Principal, id: string): Promise<void> {
    const owner = principal.role === 'admin' ? undefined : await this.ownerOf(principal);
    const visible = owner !== null && UUID.test(id);
    if (!visible || !(await revokeApiKey(this.db, id, owner, new Date(this.now())))) {
      throw new SutazaiError('SUTAZAI_ERR_AUTH_KEY_NOT_FOUND', { id });
    }
    this.log?.info({ event: 'auth:key:revoked', keyId: id }, 'API key revoked');
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
