import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate, openDb, type Db } from '../../src/db/index.js';
import { withDefaultUser } from '../../src/db/postgres.js';

/**
 * A Db whose statements are explained instead of answered: each runs as `EXPLAIN (<options>,
 * FORMAT JSON) <statement>` on `db`, its plan's top node goes to `onPlan`, and the caller sees no
 * rows. With ANALYZE in `options` the statement still executes (and writes).
 */
export function explainingDb(db: Db, options: string, onPlan: (plan: Record<string, unknown>) => void): Db {
  const explaining = Object.create(db) as Db;
  explaining.query = (async (sql: string, params?: unknown[]) => {
    const { rows } = await db.query<{ 'QUERY PLAN': Array<{ Plan: Record<string, unknown> }> }>(
      `EXPLAIN (${options}, FORMAT JSON) ${sql}`,
      params,
    );
    onPlan(rows[0]!['QUERY PLAN'][0]!.Plan);
    return { rows: [], rowCount: 0 };
  }) as Db['query'];
  return explaining;
}

/** A migrated in-memory PGlite database. */
export async function freshPglite(): Promise<Db> {
  const db = await openDb({ dataDir: '', inMemory: true });
  await migrate(db);
  return db;
}

/** A URL whose connections use a new, empty schema of the test database (isolation per suite). */
export async function freshPostgresSchemaUrl(
  baseUrl: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: withDefaultUser(baseUrl) });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema},public`);
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: withDefaultUser(baseUrl) });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

/** A migrated PostgreSQL database in a fresh schema; `close` drops the schema. */
export async function freshPostgres(
  baseUrl: string,
  poolMax = 10,
): Promise<{ db: Db; url: string; close: () => Promise<void> }> {
  const { url, drop } = await freshPostgresSchemaUrl(baseUrl);
  const db = await openDb({ url, dataDir: '', poolMax });
  await migrate(db);
  return {
    db,
    url,
    close: async () => {
      await db.close();
      await drop();
    },
  };
}
