import { randomBytes } from 'node:crypto';
import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { lockDataDir, type Queryable } from '../db/index.js';
import { openPglite } from '../db/pglite.js';
import { withDefaultUser } from '../db/postgres.js';
import { PRESENCE_LOCK_KEY } from '../db/presence.js';
import { SutazaiError } from '../errors.js';
import { restoreConfigFiles } from './files.js';
import { loadBackup } from './load.js';
import type { Manifest } from './manifest.js';
import { backupPath, checkFiles, readManifest } from './store.js';

export interface RestoreOptions {
  backupsDir: string;
  id: string;
  /** Write the backup's config files back where they came from (the current ones are kept aside). */
  configFiles?: boolean;
}

export interface RestoreReport {
  id: string;
  target: 'embedded' | 'postgres';
  /** Where the data that was replaced is kept: a directory (embedded) or a schema (PostgreSQL). */
  previous: string | null;
  tables: Array<{ name: string; rows: number }>;
  configFiles: string[];
}

async function prepare(options: RestoreOptions): Promise<{ dir: string; manifest: Manifest }> {
  const manifest = readManifest(options.backupsDir, options.id);
  const dir = backupPath(options.backupsDir, options.id);
  await checkFiles(dir, manifest);
  return { dir, manifest };
}

function report(
  manifest: Manifest,
  target: RestoreReport['target'],
  previous: string | null,
  configFiles: string[],
): RestoreReport {
  const tables = manifest.tables.map((t) => ({ name: t.name, rows: t.rows }));
  return { id: manifest.id, target, previous, tables, configFiles };
}

/**
 * Restores into the embedded database of `dataDir`. Takes the data-dir lock first, so it refuses
 * while the platform runs (SUTAZAI_ERR_DB_DATA_DIR_LOCKED). Builds the restored database beside
 * the live one (`pgdata.restoring`), checks it against the manifest, and only then swaps it in;
 * the replaced database stays as `pgdata.previous-<time>`.
 */
export async function restoreEmbedded(options: RestoreOptions & { dataDir: string }): Promise<RestoreReport> {
  const { dir, manifest } = await prepare(options);
  const lock = await lockDataDir(options.dataDir, `sutazai backup restore ${options.id}`);
  try {
    const staging = path.join(lock.dataDir, 'pgdata.restoring');
    rmSync(staging, { recursive: true, force: true });
    try {
      const db = await openPglite(staging);
      try {
        await db.transaction((tx) => loadBackup(tx, dir, manifest));
      } finally {
        await db.close();
      }
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      throw err;
    }
    const live = path.join(lock.dataDir, 'pgdata');
    const previous = existsSync(live) ? path.join(lock.dataDir, `pgdata.previous-${stamp()}`) : null;
    if (previous) renameSync(live, previous);
    renameSync(staging, live);
    const files = options.configFiles ? restoreConfigFiles(dir, manifest.files, manifest.id) : [];
    return report(manifest, 'embedded', previous, files);
  } finally {
    await lock.release();
  }
}

/**
 * Restores into PostgreSQL at `url` (also the migration path from the embedded engine). Refuses
 * while any SutazAI process holds the database (PRESENCE_LOCK_KEY). In ONE transaction: loads into
 * a fresh schema, checks it against the manifest, renames the live schema to
 * `sutazai_previous_<time>` and the loaded one into its place. Any failure rolls everything back.
 */
export async function restorePostgres(options: RestoreOptions & { url: string }): Promise<RestoreReport> {
  const { dir, manifest } = await prepare(options);
  const client = new pg.Client({
    connectionString: withDefaultUser(options.url),
    application_name: 'sutazai-restore',
    connectionTimeoutMillis: 5000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw new SutazaiError(
      'SUTAZAI_ERR_DB_UNAVAILABLE',
      { reason: (err as Error).message.split('\n')[0] },
      { cause: err },
    );
  }
  try {
    const free = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
      PRESENCE_LOCK_KEY,
    ]);
    if (!free.rows[0]?.ok)
      throw new SutazaiError('SUTAZAI_ERR_BACKUP_PLATFORM_RUNNING', { target: 'this PostgreSQL database' });
    const previous = await swapInSchema(wrap(client), dir, manifest);
    const files = options.configFiles ? restoreConfigFiles(dir, manifest.files, manifest.id) : [];
    return report(manifest, 'postgres', previous, files);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function swapInSchema(tx: Queryable, dir: string, manifest: Manifest): Promise<string> {
  await tx.query('BEGIN');
  try {
    const live = (await tx.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s;
    const staging = `sutazai_restoring_${randomBytes(4).toString('hex')}`;
    const previous = `sutazai_previous_${stamp().toLowerCase()}`;
    await tx.query(`DROP SCHEMA IF EXISTS ${staging} CASCADE`);
    await tx.query(`CREATE SCHEMA ${staging}`);
    await tx.query(`SET LOCAL search_path TO ${staging}`);
    await loadBackup(tx, dir, manifest);
    await tx.query(`ALTER SCHEMA "${live.replace(/"/g, '""')}" RENAME TO ${previous}`);
    await tx.query(`ALTER SCHEMA ${staging} RENAME TO "${live.replace(/"/g, '""')}"`);
    await tx.query('COMMIT');
    return previous;
  } catch (err) {
    await tx.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

function wrap(client: pg.Client): Queryable {
  return {
    async query<T>(sql: string, params: readonly unknown[] = []) {
      const r = await client.query(sql, params as unknown[]);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
    },
  };
}

function stamp(): string {
  return new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}
