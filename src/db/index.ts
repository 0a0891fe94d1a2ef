import path from 'node:path';
import { SutazaiError } from '../errors.js';
import { lockDataDir } from './data-dir-lock.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import type { Db } from './types.js';

export type { Db, DbKind, Queryable, QueryResult } from './types.js';
export { migrate, type MigrateResult } from './migrate.js';
export { lockDataDir, type DataDirLock, type DataDirOwner } from './data-dir-lock.js';

export interface OpenDbOptions {
  /** PostgreSQL URL; when absent, PGlite in `<dataDir>/pgdata`. */
  url?: string;
  dataDir: string;
  poolMax?: number;
  statementTimeoutMs?: number;
  /** For tests: PGlite in memory. */
  inMemory?: boolean;
  /** Recorded in the data dir's owner.json (PGlite on disk); default: this process's arguments. */
  command?: string;
}

/**
 * Opens the database. PGlite on disk first takes the data dir's lock (one owner per data dir,
 * SUTAZAI_ERR_DB_DATA_DIR_LOCKED otherwise); close() releases it.
 */
export async function openDb(options: OpenDbOptions): Promise<Db> {
  try {
    if (options.url) {
      return await openPostgres({
        url: options.url,
        poolMax: options.poolMax ?? 10,
        statementTimeoutMs: options.statementTimeoutMs ?? 30_000,
      });
    }
    if (options.inMemory) return await openPglite(undefined);
  } catch (err) {
    throw unavailable(err);
  }
  return openLockedPglite(options.dataDir, options.command ?? defaultCommand());
}

async function openLockedPglite(dataDir: string, command: string): Promise<Db> {
  const lock = await lockDataDir(dataDir, command);
  let db: Db;
  try {
    db = await openPglite(path.join(lock.dataDir, 'pgdata'));
  } catch (err) {
    await lock.release();
    throw unavailable(err);
  }
  let closing: Promise<void> | undefined;
  return { ...db, close: () => (closing ??= db.close().finally(() => lock.release())) };
}

function defaultCommand(): string {
  return ['sutazai', ...process.argv.slice(2)].join(' ');
}

function unavailable(err: unknown): SutazaiError {
  return new SutazaiError('SUTAZAI_ERR_DB_UNAVAILABLE', { reason: redactReason(err) }, { cause: err });
}

/** Driver messages can echo the connection string; keep only the first line, without credentials. */
function redactReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.replace(/\/\/[^@/\s]*@/g, '//***@');
}
