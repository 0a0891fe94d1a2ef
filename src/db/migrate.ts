import { SutazaiError } from '../errors.js';
import { migrations as defaultMigrations, type Migration } from './migrations/index.js';
import type { Db } from './types.js';

/** Any fixed number: every process that migrates takes the same transaction-scoped lock. */
const MIGRATION_LOCK_KEY = 724_010_010;

/** The bookkeeping table; also created by the first-start child (pglite-init.ts). */
export const MIGRATIONS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS schema_migrations (
  name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

/**
 * Applies pending migrations in one transaction under an advisory lock, so several processes
 * starting at once apply each migration exactly once; the others wait and then find nothing to do.
 */
export async function migrate(
  db: Db,
  migrations: readonly Migration[] = defaultMigrations,
  /** `false` only for a schema no other process can see (a restore's staging schema). */
  options: { advisoryLock?: boolean } = {},
): Promise<MigrateResult> {
  return db.transaction(async (tx) => {
    // The lock is database-wide: held through a long restore it would stall every process's start.
    if (options.advisoryLock !== false)
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(MIGRATIONS_TABLE_SQL);
    const done = new Set(
      (await tx.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name),
    );
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      try {
        for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      } catch (err) {
        throw new SutazaiError(
          'SUTAZAI_ERR_DB_MIGRATION_FAILED',
          { name: migration.name, reason: (err as Error).message },
          { cause: err },
        );
      }
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [migration.name]);
      applied.push(migration.name);
    }
    return { applied, alreadyApplied: done.size };
  });
}

/**
 * Splits a migration on top-level semicolons so each statement runs through the same
 * transaction-bound query path on both drivers. Migrations must not put `;` inside strings or
 * function bodies; use a migration of its own with one statement if that is ever needed.
 */
export function splitStatements(script: string): string[] {
  return script
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
