import path from 'node:path';
import { SutazaiError } from '../errors.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import type { Db } from './types.js';

export type { Db, DbKind, Queryable, QueryResult } from './types.js';
export { migrate, type MigrateResult } from './migrate.js';

export interface OpenDbOptions {
  /** PostgreSQL URL; when absent, PGlite in `<dataDir>/pgdata`. */
  url?: string;
  dataDir: string;
  poolMax?: number;
  statementTimeoutMs?: number;
  /** For tests: PGlite in memory. */
  inMemory?: boolean;
}

export async function openDb(options: OpenDbOptions): Promise<Db> {
  try {
    if (options.url) {
      return await openPostgres({
        url: options.url,
        poolMax: options.poolMax ?? 10,
        statementTimeoutMs: options.statementTimeoutMs ?? 30_000,
      });
    }
    return await openPglite(options.inMemory ? undefined : path.join(options.dataDir, 'pgdata'));
  } catch (err) {
    throw new SutazaiError('SUTAZAI_ERR_DB_UNAVAILABLE', { reason: redactReason(err) }, { cause: err });
  }
}

/** Driver messages can echo the connection string; keep only the first line, without credentials. */
function redactReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.replace(/\/\/[^@/\s]*@/g, '//***@');
}
