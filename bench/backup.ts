/**
 * Backup and restore of 100,000 tasks (plus the other tables' handful of rows) on the embedded
 * engine (PGlite on disk, as `up` runs it) and on PostgreSQL: time to back up, backup size, time
 * to restore (load + check against the manifest + swap), and time to verify (scratch database).
 * Baseline, measured in the same run: one plain read of every task row (`SELECT to_jsonb(t)`),
 * what any logical dump has to pay; `backup_vs_read` is the ratio.
 *
 *   npx tsx bench/backup.ts      (BENCH_DB=postgres|pglite, TASKS=100000, RUNS=1)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createBackup, restoreEmbedded, restorePostgres, verifyBackup } from '../src/backup/index.js';
import { migrate, openDb, type Db } from '../src/db/index.js';
import { freshPostgresSchemaUrl } from '../test/helpers/db.js';
import { backends, PG_URL } from './common.js';
import { median, report } from './lib.js';

const TASKS = Number(process.env.TASKS ?? 100_000);
const RUNS = Number(process.env.RUNS ?? 1);

async function seed(db: Db): Promise<void> {
  await db.query(
    `INSERT INTO tasks (type, payload, status, result, attempts, completed_at)
     SELECT 'http.check', jsonb_build_object('url', 'http://127.0.0.1:9/' || g, 'n', g), 'completed',
            jsonb_build_object('status', 200, 'ms', g % 97), 1, now()
     FROM generate_series(1, $1) g`,
    [TASKS],
  );
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await fn();
  return [value, (performance.now() - t0) / 1000];
}

async function once(engine: 'postgres' | 'pglite'): Promise<Record<string, number>> {
  const root = mkdtempSync(path.join(tmpdir(), 'sutazai-bench-backup-'));
  const dataDir = path.join(root, 'data');
  const backupsDir = path.join(root, 'backups');
  const config = { mcpConfig: path.join(root, 'none.json'), agentsDir: path.join(root, 'none') };
  const pg = engine === 'postgres' ? await freshPostgresSchemaUrl(PG_URL) : undefined;
  const open = () => openDb({ ...(pg ? { url: pg.url } : {}), dataDir, command: 'bench' });
  try {
    const db = await open();
    let backupS: number;
    let readS: number;
    let id: string;
    let bytes: number;
    try {
      await migrate(db);
      await seed(db);
      [, readS] = await timed(() => db.query('SELECT to_jsonb(t)::text FROM tasks t'));
      const [manifest, s] = await timed(() =>
        createBackup({ db, backupsDir, config, ...(pg ? { pgDumpUrl: pg.url } : {}) }),
      );
      [backupS, id, bytes] = [s, manifest.id, manifest.bytes];
    } finally {
      await db.close();
    }
    const [, restoreS] = await timed(() =>
      pg ? restorePostgres({ backupsDir, id, url: pg.url }) : restoreEmbedded({ backupsDir, id, dataDir }),
    );
    const [, verifyS] = await timed(() => verifyBackup(backupsDir, id));
    return {
      backup_s: backupS,
      restore_s: restoreS,
      verify_s: verifyS,
      mb: bytes / 1e6,
      read_s: readS,
      backup_vs_read: backupS / readS,
    };
  } finally {
    if (pg) await dropPrevious(pg.url).finally(() => pg.drop());
    rmSync(root, { recursive: true, force: true });
  }
}

/** A PostgreSQL restore keeps the replaced schema as sutazai_previous_*; the bench drops it. */
async function dropPrevious(url: string): Promise<void> {
  const db = await openDb({ url, dataDir: '' });
  try {
    const { rows } = await db.query<{ n: string }>(
      `SELECT nspname AS n FROM pg_namespace WHERE nspname LIKE 'sutazai_previous_%'`,
    );
    for (const r of rows) await db.query(`DROP SCHEMA ${r.n} CASCADE`);
  } finally {
    await db.close();
  }
}

for (const engine of backends()) {
  const runs: Array<Record<string, number>> = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once(engine));
  const figures: Record<string, number | string> = { tasks: TASKS, runs: RUNS };
  for (const key of Object.keys(runs[0]!)) figures[key] = median(runs.map((r) => r[key]!));
  report(`backup ${engine}`, figures);
}
