import { afterAll, beforeAll, describe } from 'vitest';
import type { Db } from '../../../src/db/index.js';
import { batchingSemantics } from '../../fixtures/queue/batching.js';
import { freshPglite } from '../../helpers/db.js';

describe('queue batching on PGlite', () => {
  let db: Db;
  beforeAll(async () => {
    db = await freshPglite();
  });
  afterAll(() => db?.close());
  batchingSemantics(() => db);
});
