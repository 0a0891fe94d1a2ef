import type { Queryable } from '../db/index.js';
import type { Clock, Role } from './types.js';

/** What the authenticator needs to know about a token's user on every request. */
export interface UserStatus {
  disabled: boolean;
  role: Role;
  /** Access tokens issued (iat, seconds) before this second are refused: set by a password change. */
  tokensValidAfterSec: number;
}

export interface UserStatusCache {
  /** Undefined when the user does not exist (deleted). */
  get(userId: string): Promise<UserStatus | undefined>;
  /** Forgets one user at once: this process sees its own changes without waiting for the TTL. */
  invalidate(userId: string): void;
}

export interface UserStatusCacheOptions {
  db: Queryable;
  clock?: Clock;
  /**
   * How stale an entry may be. Access tokens are stateless, so this bounds how long a disable,
   * a delete or a password change takes to reach other processes (docs/auth.md promises 1 s).
   */
  ttlMs?: number;
  /** Entries kept; bounded so a flood of distinct users cannot grow memory. */
  maxEntries?: number;
}

interface Entry {
  at: number;
  value: Promise<UserStatus | undefined>;
}

async function load(db: Queryable, userId: string): Promise<UserStatus | undefined> {
  const { rows } = await db.query<{ disabled: boolean; role: Role; valid_after: number | string | null }>(
    `SELECT disabled, role, floor(extract(epoch FROM tokens_valid_after))::bigint AS valid_after
     FROM users WHERE id = $1`,
    [userId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { disabled: row.disabled, role: row.role, tokensValidAfterSec: Number(row.valid_after ?? 0) };
}

/**
 * A per-process TTL cache of user status in front of one indexed lookup. Concurrent requests for
 * the same user share one query; a failed query is not cached.
 */
export function createUserStatusCache(options: UserStatusCacheOptions): UserStatusCache {
  const now = options.clock ?? Date.now;
  const ttl = options.ttlMs ?? 500;
  const max = options.maxEntries ?? 10_000;
  const entries = new Map<string, Entry>();
  return {
    get(userId) {
      const t = now();
      const hit = entries.get(userId);
      if (hit && t - hit.at < ttl) return hit.value;
      if (entries.size >= max) entries.clear();
      const value = load(options.db, userId);
      entries.set(userId, { at: t, value });
      value.catch(() => entries.delete(userId));
      return value;
    },
    invalidate(userId) {
      entries.delete(userId);
    },
  };
}
