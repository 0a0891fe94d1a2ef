import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBackup, restorePostgres, verifyBackup, type Manifest } from '../../../src/backup/index.js';
import { migrate, openDb } from '../../../src/db/index.js';
import { withDefaultUser } from '../../../src/db/postgres.js';
import { holdPresence } from '../../../src/db/presence.js';
import { populateEveryTable, snapshotRows } from '../../helpers/backup-fixture.js';
import { freshPostgres } from '../../helpers/db.js';
import { describeWithService } from '../../helpers/services.js';

describeWithService('TEST_DATABASE_URL', 'backups on PostgreSQL', (baseUrl) => {
  // Created on first use: a skipped suite still runs this body to collect its tests.
  let root = '';
  let backupsDir = '';
  let sources = { mcpConfig: '', agentsDir: '' };
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'sutazai-backup-pg-'));
    backupsDir = path.join(root, 'backups');
    sources = { mcpConfig: path.join(root, 'none.json'), agentsDir: path.join(root, 'agents') };
  });
  const cleanups: Array<() => Promise<void>> = [];

  /** Restores rename the live schema to sutazai_previous_*: drop those this suite made. */
  const dropSchemas = async (names: string[]) => {
    const c = new pg.Client({ connectionString: withDefaultUser(baseUrl) });
    await c.connect();
    for (const n of names) await c.query(`DROP SCHEMA IF EXISTS ${n} CASCADE`);
    await c.end();
  };

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('every table populated → backup (with pg_dump of the same snapshot) → wipe → restore → identical rows', async () => {
    const pgdb = await freshPostgres(baseUrl);
    cleanups.push(pgdb.close);
    await populateEveryTable(pgdb.db);
    const before = await snapshotRows(pgdb.db);
    const manifest: Manifest = await createBackup({
      db: pgdb.db,
      backupsDir,
      config: sources,
      pgDumpUrl: pgdb.url,
    });
    expect(manifest.engine).toBe('postgres');
    // pg_dump archives the same snapshot when it is installed (CI installs postgresql).
    if (spawnSync('pg_dump', ['--version']).status === 0)
      expect(manifest.pgDump).toEqual(expect.objectContaining({ sha256: expect.any(String) }));
    else expect(manifest.pgDump).toHaveProperty('skipped');

    const names = Object.keys(before).filter((t) => t !== '(sequences)');
    await pgdb.db.query(`TRUNCATE ${names.map((n) => `"${n}"`).join(', ')} RESTART IDENTITY CASCADE`);
    expect((await snapshotRows(pgdb.db)).tasks).toEqual([]);
    await pgdb.db.close();

    const report = await restorePostgres({ backupsDir, id: manifest.id, url: pgdb.url });
    cleanups.push(() => dropSchemas([report.previous!]));
    const db = await openDb({ url: pgdb.url, dataDir: '' });
    try {
      expect(await snapshotRows(db)).toEqual(before);
      expect((await migrate(db)).applied).toEqual([]);
    } finally {
      await db.close();
    }
    expect((await verifyBackup(backupsDir, manifest.id)).ok).toBe(true);
  }, 300_000);

  it('an embedded backup restores into PostgreSQL (--into): the migration path', async () => {
    const embedded = await openDb({ dataDir: '', inMemory: true });
    await migrate(embedded);
    await populateEveryTable(embedded);
    const before = await snapshotRows(embedded);
    const manifest = await createBackup({ db: embedded, backupsDir, config: sources });
    await embedded.close();
    expect(manifest.engine).toBe('pglite');

    const target = await freshPostgres(baseUrl);
    cleanups.push(target.close);
    await target.db.close();
    const report = await restorePostgres({ backupsDir, id: manifest.id, url: target.url });
    cleanups.push(() => dropSchemas([report.previous!]));
    const db = await openDb({ url: target.url, dataDir: '' });
    try {
      expect(await snapshotRows(db)).toEqual(before);
    } finally {
      await db.close();
    }
  }, 300_000);

  it('restore refuses while a platform process holds the database, and changes nothing', async () => {
    const pgdb = await freshPostgres(baseUrl);
    cleanups.push(pgdb.close);
    const manifest = await createBackup({ db: pgdb.db, backupsDir, config: sources });
    await pgdb.db.query(`INSERT INTO settings (key, value) VALUES ('live', '1')`);
    const presence = await holdPresence(pgdb.url, pino({ level: 'silent' }));
    try {
      await expect(restorePostgres({ backupsDir, id: manifest.id, url: pgdb.url })).rejects.toMatchObject({
        code: 'SUTAZAI_ERR_BACKUP_PLATFORM_RUNNING',
      });
    } finally {
      await presence.release();
    }
    expect((await pgdb.db.query(`SELECT key FROM settings WHERE key = 'live'`)).rows).toHaveLength(1);
  }, 120_000);
});
