import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '../../../src/db/index.js';
import { AlertOutbox, DbOutboxStore, type Finding } from '../../../src/ops/index.js';
import { freshPostgres } from '../../helpers/db.js';
import { describeWithService } from '../../helpers/services.js';

/** The database outbox store on a real PostgreSQL (the integration tier covers PGlite). */
describeWithService('TEST_DATABASE_URL', 'doctor alert outbox on PostgreSQL', (baseUrl) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await freshPostgres(baseUrl, 2));
  });
  afterAll(() => close());

  it('keeps open episodes and undelivered alerts across outbox instances, in one row', async () => {
    const finding = {
      ruleId: 'unhealthy',
      fingerprint: 'fp-1',
      severity: 'high',
      service: 'app',
      message: 'container w-app-1 is unhealthy',
    } as unknown as Finding;
    const targets = [
      { url: 'http://127.0.0.1:9/hook', format: 'json' as const, minSeverity: 'high' as const },
    ];
    const first = new AlertOutbox({ store: new DbOutboxStore(db), targets, retry: { minMs: 1, maxMs: 1 } });
    await first.load();
    expect(first.open(finding)).toBe(true);
    await first.save();

    const second = new AlertOutbox({ store: new DbOutboxStore(db), targets, retry: { minMs: 1, maxMs: 1 } });
    await second.load();
    expect(second.isOpen('fp-1')).toBe(true);
    expect(second.open(finding)).toBe(false); // already open: not alerted twice
    expect(second.pending().map((e) => [e.kind, e.fingerprint])).toEqual([['finding:new', 'fp-1']]);
    const rows = await db.query<{ name: string }>('SELECT name FROM doctor_alert_outbox');
    expect(rows.rows).toEqual([{ name: 'watch' }]);
  });
});
