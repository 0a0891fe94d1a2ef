import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Platform } from '../../../src/app.js';
import { withDefaultUser } from '../../../src/db/postgres.js';
import { freshPostgresSchemaUrl } from '../../helpers/db.js';
import { adminHeaders, startTestPlatform } from '../../helpers/platform.js';
import { describeWithService } from '../../helpers/services.js';
import { dataOf, openSse } from '../../helpers/sse.js';

/** The events stream's PostgreSQL LISTEN connection comes back after it is killed. */
describeWithService('TEST_DATABASE_URL', 'the events listener reconnects on PostgreSQL', (baseUrl) => {
  let platform: Platform;
  let drop: () => Promise<void>;
  let url: string;
  let sql: pg.Client;

  /** Backends of this database's events listeners (the services tier runs one file at a time). */
  const listeners = async (): Promise<number[]> =>
    (
      await sql.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity
          WHERE application_name = 'sutazai-events' AND datname = current_database()`,
      )
    ).rows.map((r) => r.pid);

  beforeAll(async () => {
    ({ url, drop } = await freshPostgresSchemaUrl(baseUrl));
    platform = await startTestPlatform({}, { role: 'api', inMemoryDb: false }, (config) => {
      config.database.url = url;
    });
    sql = new pg.Client({ connectionString: withDefaultUser(url) });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await platform?.close();
    await drop?.();
  });

  it('after pg_terminate_backend on the listener, streams are told to refetch and task events keep flowing', async () => {
    const base = await platform.listen();
    const admin = await adminHeaders(base);
    const stream = await openSse(`${base}/api/v1/events`, admin);
    const [killed, ...others] = await listeners();
    expect(killed).toBeDefined();
    expect(others).toEqual([]);
    await sql.query('SELECT pg_terminate_backend($1)', [killed]);

    // Changes made while nobody listened were never notified: the stream says "refetch".
    await stream.waitFor((f) => f.event === 'reset', 20_000);
    const now = await listeners();
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(killed);

    const created = await fetch(`${base}/api/v1/tasks`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'http.check', payload: { url: 'http://127.0.0.1:9/' } }),
    });
    const { id } = (await created.json()) as { id: string };
    await sql.query(`UPDATE tasks SET status = 'dead', error = 'x' WHERE id = $1`, [id]);
    await stream.waitFor((f) => f.event === 'task' && dataOf(f).id === id && dataOf(f).state === 'dead');
    stream.close();
  });
});
