import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '../../../src/db/index.js';
import { createLogger } from '../../../src/log.js';
import { freshPglite, freshPostgres } from '../../helpers/db.js';
import { describeWithService } from '../../helpers/services.js';

/** Issue 9 item 4: a database error logged as `err` carries no parameter values, on either engine. */
async function loggedDuplicate(db: Db): Promise<string> {
  const lines: string[] = [];
  const log = createLogger('info', { write: (l: string) => void lines.push(l) });
  const insert = "INSERT INTO api_keys (name, prefix, key_hash, role) VALUES ('k', 'p', $1, 'user')";
  await db.query(insert, ['hash-s3cret-value']);
  const err = await db.query(insert, ['hash-s3cret-value']).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect((err as { code?: string }).code).toBe('23505');
  log.error({ err }, 'request failed');
  // Even without the logger's redaction the error itself serialises clean.
  return lines.join('') + JSON.stringify({ ...(err as object) });
}

it('PGlite: a unique violation logs without its parameters or detail', async () => {
  const db = await freshPglite();
  try {
    expect(await loggedDuplicate(db)).not.toContain('s3cret');
  } finally {
    await db.close();
  }
});

describeWithService('TEST_DATABASE_URL', 'PostgreSQL error scrubbing', (url) => {
  let pg: Awaited<ReturnType<typeof freshPostgres>>;
  beforeAll(async () => {
    pg = await freshPostgres(url, 2);
  });
  afterAll(async () => pg?.close());

  it('a unique violation logs without its parameters or detail', async () => {
    expect(await loggedDuplicate(pg.db)).not.toContain('s3cret');
  });
});
