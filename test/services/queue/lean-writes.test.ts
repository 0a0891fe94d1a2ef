import { afterAll, beforeAll } from 'vitest';
import { openDb, type Db } from '../../../src/db/index.js';
import { leanWritesMigration, leanWritesSemantics } from '../../fixtures/queue/lean-writes.js';
import { freshPostgres, freshPostgresSchemaUrl } from '../../helpers/db.js';
import { describeWithService } from '../../helpers/services.js';

describeWithService(
  'TEST_DATABASE_URL',
  'queue index and trigger economy on PostgreSQL (migration 0011)',
  (baseUrl) => {
    let pg: { db: Db; close: () => Promise<void> };
    beforeAll(async () => {
      pg = await freshPostgres(baseUrl);
    });
    afterAll(async () => pg?.close());
    leanWritesSemantics(() => pg.db);
    leanWritesMigration(async () => {
      const { url, drop } = await freshPostgresSchemaUrl(baseUrl);
      const db = await openDb({ url, dataDir: '', poolMax: 4 });
      return {
        db,
        close: async () => {
          await db.close();
          await drop();
        },
      };
    });
  },
);
