import path from 'node:path';
import { SutazaiError } from '../errors.js';
import { migrate, type Db, type Queryable } from '../db/index.js';
import { migrations as knownMigrations, type Migration } from '../db/migrations/index.js';
import { ident } from './catalog.js';
import { digestTables } from './dump.js';
import { gzipLines } from './gzip-lines.js';
import type { Manifest } from './manifest.js';

/** Rows per INSERT: one JSON array parameter each, well under any statement timeout. */
const LOAD_BATCH = 1000;

/**
 * Loads a backup into `tx`'s current schema, which must be empty: builds exactly the backup's
 * schema (its migrations), inserts every table's rows, sets the sequences, then compares row
 * counts and digests with the manifest (SUTAZAI_ERR_BACKUP_CORRUPT on any difference), and only
 * then applies the migrations this version has that the backup's did not.
 */
export async function loadBackup(tx: Queryable, dir: string, manifest: Manifest): Promise<void> {
  // The schema being loaded is new and private to this transaction: no lock against other processes.
  await migrate(asDb(tx), migrationsOf(manifest), { advisoryLock: false });
  for (const table of manifest.tables) await loadTable(tx, dir, table.name, table.file);
  for (const seq of manifest.sequences) {
    if (seq.lastValue === null) continue;
    await tx.query('SELECT setval(quote_ident($1)::regclass, $2::bigint, true)', [seq.name, seq.lastValue]);
  }
  await compareWithManifest(tx, manifest);
  await migrate(asDb(tx), undefined, { advisoryLock: false });
}

/** The backup's migrations, which must be a prefix of this version's (else it is from a newer one). */
export function migrationsOf(manifest: Manifest): Migration[] {
  const chosen: Migration[] = [];
  for (const [i, name] of manifest.migrations.entries()) {
    const known = knownMigrations[i];
    if (!known || known.name !== name)
      throw new SutazaiError('SUTAZAI_ERR_BACKUP_INCOMPATIBLE', {
        id: manifest.id,
        reason: `its schema has migration ${name}, which this version does not have at position ${i + 1}`,
      });
    chosen.push(known);
  }
  return chosen;
}

async function loadTable(tx: Queryable, dir: string, table: string, file: string): Promise<void> {
  const sql = `INSERT INTO ${ident(table)} OVERRIDING SYSTEM VALUE
    SELECT * FROM jsonb_populate_recordset(NULL::${ident(table)}, $1::jsonb)`;
  // Lines are passed through as text, never parsed in JS: bigint values keep every digit.
  for await (const lines of gzipLines(path.join(dir, file), LOAD_BATCH))
    await tx.query(sql, [`[${lines.join(',')}]`]);
}

async function compareWithManifest(tx: Queryable, manifest: Manifest): Promise<void> {
  const actual = await digestTables(
    tx,
    manifest.tables.map((t) => t.name),
  );
  for (const table of manifest.tables) {
    const got = actual.get(table.name)!;
    if (got.rows !== table.rows || got.rowsDigest !== table.rowsDigest)
      throw new SutazaiError('SUTAZAI_ERR_BACKUP_CORRUPT', {
        id: manifest.id,
        reason: `table ${table.name}: ${got.rows} rows loaded (digest ${got.rowsDigest.slice(0, 12)}), the manifest says ${table.rows} (digest ${table.rowsDigest.slice(0, 12)})`,
      });
  }
}

/** migrate() takes a Db; inside one outer transaction every step runs on the same connection. */
function asDb(tx: Queryable): Db {
  return {
    kind: 'postgres',
    query: (sql, params) => tx.query(sql, params),
    transaction: (fn) => fn(tx),
    exec: async (sql) => {
      await tx.query(sql);
    },
    ping: async () => undefined,
    // A restore migrates inside one transaction; nothing listens on that connection.
    listen: async () => async () => undefined,
    close: async () => undefined,
  };
}
