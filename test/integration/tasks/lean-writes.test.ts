import { afterAll, beforeAll, describe } from 'vitest';
import { openDb, type Db } from '../../../src/db/index.js';
import { leanWritesMigration, leanWritesSemantics } from '../../fixtures/queue/lean-writes.js';
import { freshPglite } from '../../helpers/db.js';

describe('queue index and trigger economy on PGlite (migration 0011)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await freshPglite();
  });
  afterAll(() => db?.close());
  leanWritesSemantics(() => db);
  leanWritesMigration(async () => {
    const fresh = await openDb({ dataDir: '', inMemory: true });
    return { db: fresh, close: () => fresh.close() };
  });
});
