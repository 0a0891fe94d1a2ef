import { expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate, openDb } from '../../src/db/index.js';
import { migrations } from '../../src/db/migrations/index.js';
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

it('creates a new data dir in a child process that also applies the migrations, then opens it warm', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sutazai-initdb-'));
  const db = await openDb({ dataDir });
  try {
    const { rows } = await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    expect(rows.map((r) => r.name)).toEqual(migrations.map((m) => m.name));
    expect((await migrate(db)).applied).toEqual([]);
  } finally {
    await db.close();
  }
}, 120_000);
