import { expect, it } from 'vitest';
import { migrate } from '../../src/db/index.js';
import { freshPglite } from '../helpers/db.js';

it('migrates an empty PGlite database and is idempotent on a second run', async () => {
  const db = await freshPglite();
  try {
    const again = await migrate(db);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toBeGreaterThan(0);
    const tables = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['agents', 'tasks', 'users', 'api_keys', 'refresh_tokens', 'settings']),
    );
  } finally {
    await db.close();
  }
});
