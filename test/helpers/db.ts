import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate, openDb, type Db } from '../../src/db/index.js';
import { withDefaultUser } from '../../src/db/postgres.js';

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
