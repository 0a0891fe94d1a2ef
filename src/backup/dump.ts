import path from 'node:path';
import type { Db, Queryable } from '../db/index.js';
import { appliedMigrations, dataTables, sequenceValues, tableRows } from './catalog.js';
import { RowsDigest, sha256File } from './digest.js';
import { gzipLineWriter } from './gzip-lines.js';
import type { SequenceEntry, TableEntry } from './manifest.js';
import { runPgDump, type PgDumpResult } from './pg-dump.js';

export interface DatabaseDump {
  migrations: string[];
  tables: TableEntry[];
  sequences: SequenceEntry[];
  pgDump?: PgDumpResult;
}

/**
 * Dumps every SutazAI table into `<dir>/db/<table>.jsonl.gz` inside ONE read-only repeatable-read
 * transaction: every table is read from the same snapshot, whatever the platform writes meanwhile.
 * Row text is `to_jsonb(row)::text` with TimeZone UTC: the same on PGlite and PostgreSQL, so a
 * dump from either engine loads into either. On PostgreSQL, with `pgDumpUrl`, pg_dump archives the
 * very same snapshot (pg_export_snapshot) beside it.
 */
export async function dumpDatabase(db: Db, dir: string, pgDumpUrl?: string): Promise<DatabaseDump> {
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    await tx.query("SET LOCAL TimeZone = 'UTC'");
    const migrations = await appliedMigrations(tx);
    const tables: TableEntry[] = [];
    for (const table of await dataTables(tx)) tables.push(await dumpTable(tx, table, dir));
    const sequences = await sequenceValues(tx);
    let pgDump: PgDumpResult | undefined;
    if (db.kind === 'postgres' && pgDumpUrl) {
      const snapshot = (await tx.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0]!.id;
      const schema = (await tx.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s;
      pgDump = await runPgDump({
        url: pgDumpUrl,
        snapshot,
        schema,
        file: path.join(dir, 'db', 'pg_dump.custom'),
      });
    }
    return { migrations, tables, sequences, ...(pgDump ? { pgDump } : {}) };
  });
}

async function dumpTable(tx: Queryable, table: string, dir: string): Promise<TableEntry> {
  const file = path.join('db', `${table}.jsonl.gz`);
  const writer = gzipLineWriter(path.join(dir, file));
  const digest = new RowsDigest();
  try {
    for await (const lines of tableRows(tx, table)) {
      for (const line of lines) digest.add(line);
      await writer.write(lines);
    }
  } finally {
    await writer.end();
  }
  const sha256 = await sha256File(path.join(dir, file));
  return { name: table, file, rows: digest.count, sha256, rowsDigest: digest.hex() };
}

/** Reads the same digests from a live database (after a load) to compare with a manifest. */
export async function digestTables(
  tx: Queryable,
  tables: readonly string[],
): Promise<Map<string, { rows: number; rowsDigest: string }>> {
  await tx.query("SET LOCAL TimeZone = 'UTC'");
  const out = new Map<string, { rows: number; rowsDigest: string }>();
  for (const table of tables) {
    const digest = new RowsDigest();
    for await (const lines of tableRows(tx, table)) for (const line of lines) digest.add(line);
    out.set(table, { rows: digest.count, rowsDigest: digest.hex() });
  }
  return out;
}
