import { afterAll, beforeAll, describe } from 'vitest';
import type { Db } from '../../../src/db/index.js';
import { queueSemantics } from '../../fixtures/queue/semantics.js';
import { freshPglite } from '../../helpers/db.js';

describe('task queue on PGlite', () => {
  let db: Db;
  beforeAll(async () => {
    db = await freshPglite();
  });
  afterAll(async () => db?.close());
  queueSemantics(() => db);
});
