/** Shared by the queue benches: database setup on PGlite and PostgreSQL, stats, printing. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate, openDb, type Db } from '../src/db/index.js';
import { migrations } from '../src/db/migrations/index.js';
import { freshPostgresSchemaUrl } from '../test/helpers/db.js';

export interface BenchDb {
  name: 'postgres' | 'pglite';
  db: Db;
  /** The scratch schema's URL on PostgreSQL (for LISTEN). */
  url?: string;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';

/** The migrations up to and including `name` (all when undefined): to bench an earlier schema. */
export function migrationsUpTo(name?: string): typeof migrations {
  if (!name) return migrations;
  const at = migrations.findIndex((m) => m.name === name);
  if (at < 0) throw new Error(`no migration ${name}`);
  return migrations.slice(0, at + 1);
}

export async function openBenchDb(
  name: 'postgres' | 'pglite',
  poolMax = 20,
  upTo?: string,
): Promise<BenchDb> {
  if (name === 'pglite') {
    // PGLITE_DISK=1: a temporary data dir, as `sutazai up` runs it (WAL writes reach the kernel).
    const dir = process.env.PGLITE_DISK === '1' ? mkdtempSync(path.join(tmpdir(), 'sutazai-bench-')) : '';
    const db = await openDb({ dataDir: dir, inMemory: !dir });
    await migrate(db, migrationsUpTo(upTo));
    return {
      name,
      db,
      reset: () => truncate(db),
      close: async () => {
        await db.close();
        if (dir) rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const { url, drop } = await freshPostgresSchemaUrl(PG_URL);
  const db = await openDb({ url, dataDir: '', poolMax });
  await migrate(db, migrationsUpTo(upTo));
  return {
    name,
    db,
    url,
    reset: () => truncate(db),
    close: async () => {
      await db.close();
      await drop();
    },
  };
}

async function truncate(db: Db): Promise<void> {
  await db.query('TRUNCATE tasks');
  await db.query('VACUUM ANALYZE tasks').catch(() => undefined);
}

export function backends(): Array<'postgres' | 'pglite'> {
  const only = process.env.BENCH_DB;
  return only === 'postgres' || only === 'pglite' ? [only] : ['postgres', 'pglite'];
}
