import { randomBytes } from 'node:crypto';
import type { Queryable } from '../db/index.js';
import type { SecretProvider } from './types.js';

const SETTING_KEY = 'auth.signing_key';

/**
 * The HS256 signing key lives in the settings table: the first process to start generates it,
 * every later (or concurrent) one reads the same row, so tokens verify on any process.
 * ON CONFLICT DO NOTHING makes concurrent first starts agree on one key.
 */
export function createDbSecretProvider(db: Queryable): SecretProvider {
  let cached: Promise<Buffer> | undefined;
  const load = async (): Promise<Buffer> => {
    const fresh = randomBytes(32).toString('base64url');
    await db.query(`INSERT INTO settings (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO NOTHING`, [
      SETTING_KEY,
      JSON.stringify({ hs256: fresh }),
    ]);
    const { rows } = await db.query<{ value: { hs256?: string } }>(
      'SELECT value FROM settings WHERE key = $1',
      [SETTING_KEY],
    );
    const stored = rows[0]?.value.hs256;
    if (!stored) throw new Error(`settings row ${SETTING_KEY} has no hs256 key`);
    return Buffer.from(stored, 'base64url');
  };
  return {
    signingKey() {
      // A failed load is not cached, so a database blip does not poison every later request.
      cached ??= load().catch((err: unknown) => {
        cached = undefined;
        throw err;
      });
      return cached;
    },
  };
}

/** A fixed key, for tests and tools that never touch the database. */
export function staticSecretProvider(key: Buffer): SecretProvider {
  return { signingKey: async () => key };
}
