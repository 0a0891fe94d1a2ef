import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../db/index.js';

/**
 * Refresh tokens are opaque random strings (`rt_<base64url>`); the table stores their SHA-256.
 * Each refresh revokes the presented token and issues a new one (rotation). Presenting a token
 * that was already revoked means it leaked or was replayed: every refresh token of that user is
 * revoked, so the thief and the victim both have to log in again.
 */
const TOKEN_SHAPE = /^rt_[A-Za-z0-9_-]{43}$/;

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function issueRefreshToken(
  db: Queryable,
  userId: string,
  now: Date,
  ttlSeconds: number,
): Promise<string> {
  const token = `rt_${randomBytes(32).toString('base64url')}`;
  await db.query(
    `INSERT INTO refresh_tokens (user_id, token_hash, expires_at, created_at) VALUES ($1, $2, $3, $4)`,
    [userId, hashRefreshToken(token), new Date(now.getTime() + ttlSeconds * 1000), now],
  );
  return token;
}

export type ConsumeResult =
  { ok: true; userId: string } | { ok: false; reason: 'unknown' | 'expired' | 'reused'; userId?: string };

/**
 * Atomically revokes a live token and returns its user. The conditional UPDATE means two
 * concurrent refreshes with the same token cannot both succeed: the loser sees it revoked and
 * that counts as reuse.
 */
export async function consumeRefreshToken(db: Queryable, token: string, now: Date): Promise<ConsumeResult> {
  if (!TOKEN_SHAPE.test(token)) return { ok: false, reason: 'unknown' };
  const hash = hashRefreshToken(token);
  const updated = await db.query<{ user_id: string }>(
    `UPDATE refresh_tokens SET revoked_at = $2
     WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2 RETURNING user_id`,
    [hash, now],
  );
  if (updated.rows[0]) return { ok: true, userId: updated.rows[0].user_id };
  const { rows } = await db.query<{ user_id: string; revoked_at: Date | null }>(
    'SELECT user_id, revoked_at FROM refresh_tokens WHERE token_hash = $1',
    [hash],
  );
  const row = rows[0];
  if (!row) return { ok: false, reason: 'unknown' };
  if (row.revoked_at) return { ok: false, reason: 'reused', userId: row.user_id };
  return { ok: false, reason: 'expired', userId: row.user_id };
}

export async function revokeAllRefreshTokens(db: Queryable, userId: string, now: Date): Promise<number> {
  const { rowCount } = await db.query(
    'UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL',
    [userId, now],
  );
  return rowCount;
}

/** Revokes one token if it is live; idempotent, and silent about whether it existed. */
export async function revokeRefreshToken(db: Queryable, token: string, now: Date): Promise<void> {
  if (!TOKEN_SHAPE.test(token)) return;
  await db.query('UPDATE refresh_tokens SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL', [
    hashRefreshToken(token),
    now,
  ]);
}

/** Drops rows that expired more than `graceSeconds` ago; reuse detection needs recent revoked rows. */
export async function pruneRefreshTokens(db: Queryable, now: Date, graceSeconds = 86_400): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM refresh_tokens WHERE expires_at < $1', [
    new Date(now.getTime() - graceSeconds * 1000),
  ]);
  return rowCount;
}
