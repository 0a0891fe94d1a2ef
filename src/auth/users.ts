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
