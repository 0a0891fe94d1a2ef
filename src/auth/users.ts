import type { Queryable } from '../db/index.js';
import { hashPassword } from './password.js';
import type { Role, User } from './types.js';

interface UserRow {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  created_at: Date | string;
}

export interface UserWithHash extends User {
  passwordHash: string;
}

const COLUMNS = 'id, username, role, disabled, created_at';

export function iso(value: Date | string | null): string | null {
  if (value === null) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    disabled: row.disabled,
    createdAt: iso(row.created_at)!,
  };
}

export async function findUserByUsername(db: Queryable, username: string): Promise<UserWithHash | undefined> {
  const { rows } = await db.query<UserRow & { password_hash: string }>(
    `SELECT ${COLUMNS}, password_hash FROM users WHERE username = $1`,
    [username],
  );
  const row = rows[0];
  return row && { ...toUser(row), passwordHash: row.password_hash };
}

export async function findUserById(db: Queryable, id: string): Promise<User | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0] && toUser(rows[0]);
}

export async function listUsers(db: Queryable, limit = 1000): Promise<User[]> {
  const { rows } = await db.query<UserRow>(
    `SELECT ${COLUMNS} FROM users ORDER BY created_at, username LIMIT $1`,
    [limit],
  );
  return rows.map(toUser);
}

/** Inserts a user; undefined when the username is taken (no exception, so callers choose the error). */
export async function insertUser(
  db: Queryable,
  input: { username: string; password: string; role: Role },
): Promise<User | undefined> {
  const passwordHash = await hashPassword(input.password);
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (username, password_hash, role) VALUES ($1, $2, $3)
     ON CONFLICT (username) DO NOTHING RETURNING ${COLUMNS}`,
    [input.username, passwordHash, input.role],
  );
  return rows[0] && toUser(rows[0]);
}

export async function findPasswordHash(db: Queryable, id: string): Promise<string | undefined> {
  const { rows } = await db.query<{ password_hash: string }>(
    'SELECT password_hash FROM users WHERE id = $1',
    [id],
  );
  return rows[0]?.password_hash;
}

/** Sets a new password and refuses access tokens issued before `now` (whole seconds). */
export async function updatePassword(db: Queryable, id: string, password: string, now: Date): Promise<void> {
  const passwordHash = await hashPassword(password);
  await db.query('UPDATE users SET password_hash = $2, tokens_valid_after = $3 WHERE id = $1', [
    id,
    passwordHash,
    now,
  ]);
}

/** Enabled admins other than `exceptId`, counted under a row lock so two admins cannot race. */
export async function otherEnabledAdmins(db: Queryable, exceptId: string): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM users WHERE role = 'admin' AND NOT disabled AND id <> $1 FOR UPDATE`,
    [exceptId],
  );
  return rows.length;
}

export async function setUserDisabled(
  db: Queryable,
  id: string,
  disabled: boolean,
): Promise<User | undefined> {
  const { rows } = await db.query<UserRow>(
    `UPDATE users SET disabled = $2 WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, disabled],
  );
  return rows[0] && toUser(rows[0]);
}

/** Deletes a user; their API keys and refresh tokens go with them (ON DELETE CASCADE). */
export async function deleteUser(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await db.query<{ id: string }>('DELETE FROM users WHERE id = $1 RETURNING id', [id]);
  return rows.length > 0;
}
