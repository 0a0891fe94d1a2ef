import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../db/index.js';
import { iso } from './users.js';
import type { ApiKeyInfo, Role } from './types.js';

/**
 * API keys: `sk_sutazai_<43 chars base64url>` (256 random bits). Only the SHA-256 of the key is
 * stored (a fast hash is enough for a random secret of that size) plus a short visible prefix so
 * people can tell their keys apart in a list.
 */
export const API_KEY_PREFIX = 'sk_sutazai_';
const VISIBLE = API_KEY_PREFIX.length + 6;
const KEY_SHAPE = /^sk_sutazai_[A-Za-z0-9_-]{43}$/;

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, prefix: key.slice(0, VISIBLE), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function looksLikeApiKey(value: string): boolean {
  return value.startsWith(API_KEY_PREFIX);
}

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  user_id: string | null;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id, name, prefix, role, user_id, created_at, expires_at, last_used_at, revoked_at';

function toInfo(row: KeyRow): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    userId: row.user_id,
    createdAt: iso(row.created_at)!,
    expiresAt: iso(row.expires_at),
    lastUsedAt: iso(row.last_used_at),
    revokedAt: iso(row.revoked_at),
  };
}

export async function insertApiKey(
  db: Queryable,
  input: { name: string; role: Role; userId: string | null; expiresAt: Date | null; now: Date },
): Promise<{ key: string; info: ApiKeyInfo }> {
  const { key, prefix, hash } = generateApiKey();
  const { rows } = await db.query<KeyRow>(
    `INSERT INTO api_keys (name, prefix, key_hash, role, user_id, expires_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [input.name, prefix, hash, input.role, input.userId, input.expiresAt, input.now],
  );
  return { key, info: toInfo(rows[0]!) };
}

/** All keys (ownerId undefined) or one owner's, newest first. */
export async function listApiKeys(db: Queryable, ownerId?: string, limit = 1000): Promise<ApiKeyInfo[]> {
  const { rows } =
    ownerId === undefined
      ? await db.query<KeyRow>(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at DESC LIMIT $1`, [limit])
      : await db.query<KeyRow>(
          `SELECT ${COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2`,
          [ownerId, limit],
        );
  return rows.map(toInfo);
}

/** Revokes a key (owner-scoped unless ownerId is undefined); false when no such key is visible. */
export async function revokeApiKey(
  db: Queryable,
  id: string,
  ownerId: string | undefined,
  now: Date,
): Promise<boolean> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2)
     WHERE id = $1 AND ($3::uuid IS NULL OR user_id = $3) RETURNING id`,
    [id, now, ownerId ?? null],
  );
  return rows.length > 0;
}

export interface ResolvedKey {
  id: string;
  name: string;
  /** The key's role capped by its owner's current role: a demoted owner's admin key acts as user. */
  role: Role;
  userId: string | null;
  lastUsedAt: Date | null;
}

/** Finds a live key (not revoked, not expired, owner not disabled) by its secret. */
export async function resolveApiKey(db: Queryable, key: string, now: Date): Promise<ResolvedKey | undefined> {
  if (!KEY_SHAPE.test(key)) return undefined;
  const { rows } = await db.query<{
    id: string;
    name: string;
    role: Role;
    user_id: string | null;
    owner_role: Role | null;
    last_used_at: Date | null;
  }>(
    `SELECT k.id, k.name, k.role, k.user_id, u.role AS owner_role, k.last_used_at
     FROM api_keys k LEFT JOIN users u ON u.id = k.user_id
     WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $2)
       AND (u.id IS NULL OR NOT u.disabled)`,
    [hashApiKey(key), now],
  );
  const row = rows[0];
  if (!row) return undefined;
  const role: Role = row.role === 'admin' && (row.owner_role ?? 'admin') === 'admin' ? 'admin' : 'user';
  return { id: row.id, name: row.name, role, userId: row.user_id, lastUsedAt: row.last_used_at };
}

/** Records use; the WHERE clause makes a write at most once per interval per key, across processes. */
export async function touchApiKey(db: Queryable, id: string, now: Date, intervalMs: number): Promise<void> {
  await db.query(
    `UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $3)`,
    [id, now, new Date(now.getTime() - intervalMs)],
  );
}

export async function apiKeyOwner(db: Queryable, id: string): Promise<string | null | undefined> {
  const { rows } = await db.query<{ user_id: string | null }>('SELECT user_id FROM api_keys WHERE id = $1', [
    id,
  ]);
  return rows[0]?.user_id;
}
