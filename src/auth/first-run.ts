import type { Queryable } from '../db/index.js';

/**
 * The first-run marker: set in the transaction that creates the admin with a generated password,
 * cleared by the first successful sign-in. While it is set, the sign-in page may say where the
 * password was printed (never the password: it exists only on that terminal).
 */
const KEY = 'auth.first_run';

export interface FirstRun {
  username: string;
  createdAt: string;
}

export async function markFirstRun(db: Queryable, username: string, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2::jsonb, $3)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
    [KEY, JSON.stringify({ username, createdAt: now.toISOString() }), now],
  );
}

export async function readFirstRun(db: Queryable): Promise<FirstRun | undefined> {
  const { rows } = await db.query<{ value: Partial<FirstRun> }>('SELECT value FROM settings WHERE key = $1', [
    KEY,
  ]);
  const value = rows[0]?.value;
  if (!value || typeof value.username !== 'string' || typeof value.createdAt !== 'string') return undefined;
  return { username: value.username, createdAt: value.createdAt };
}

export async function clearFirstRun(db: Queryable): Promise<void> {
  await db.query('DELETE FROM settings WHERE key = $1', [KEY]);
}

/** What the sign-in page shows: where the generated password went, never the password. */
export function firstRunHint(run: FirstRun): string {
  return (
    `First start: the password of admin user "${run.username}" was generated and printed once on the ` +
    `terminal (standard error) of the first \`sutazai up\` at ${run.createdAt}. ` +
    'Lost it? See "lost the generated admin password" in docs/auth.md.'
  );
}
