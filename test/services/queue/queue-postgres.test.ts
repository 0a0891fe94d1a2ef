import { afterAll, beforeAll, describe } from 'vitest';
import type { Db } from '../../../src/db/index.js';
import { batchingSemantics } from '../../fixtures/queue/batching.js';
import { queueSemantics } from '../../fixtures/queue/semantics.js';
import { freshPostgres } from '../../helpers/db.js';
import { describeWithService } from '../../helpers/services.js';

describeWithService('TEST_DATABASE_URL', 'task queue on PostgreSQL', (baseUrl) => {
  let pg: { db: Db; close: () => Promise<void> };
  beforeAll(async () => {
    pg = await freshPostgres(baseUrl);
  });
  afterAll(async () => pg?.close());
  describe('same semantics as on PGlite', () => queueSemantics(() => pg.db));
  describe('same batching as on PGlite', () => batchingSemantics(() => pg.db));
});
