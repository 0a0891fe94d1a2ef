import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate, openDb, type Db } from '../../src/db/index.js';
import { freshPostgresSchemaUrl } from '../helpers/db.js';
import { describeWithService } from '../helpers/services.js';

describeWithService('TEST_DATABASE_URL', 'migrations on PostgreSQL', (baseUrl) => {
  let url: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ url, drop } = await freshPostgresSchemaUrl(baseUrl));
  });
  afterAll(async () => drop());

  it('applies every migration exactly once when several processes migrate at once', async () => {
    const dbs: Db[] = await Promise.all([1, 2, 3, 4].map(() => openDb({ url, dataDir: '', poolMax: 2 })));
    try {
      const results = await Promise.all(dbs.map((db) => migrate(db)));
      const appliedCounts = results.map((r) => r.applied.length).sort();
      expect(appliedCounts.slice(0, 3)).toEqual([0, 0, 0]);
      expect(appliedCounts[3]).toBeGreaterThan(0);
      const rows = await dbs[0]!.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
      expect(rows.rows[0]!.n).toBe(appliedCounts[3]);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
  });
});
