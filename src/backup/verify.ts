import { openPglite } from '../db/pglite.js';
import { backupPath, checkFiles, readManifest } from './store.js';
import { loadBackup } from './load.js';

export interface VerifyReport {
  id: string;
  ok: true;
  engine: 'pglite' | 'postgres';
  tables: Array<{ name: string; rows: number }>;
  files: number;
  durationMs: number;
}

/**
 * Proves a backup restores: every file matches its checksum, then the whole backup is loaded into
 * a scratch in-memory embedded database and every table's row count and digest is compared with
 * the manifest. Throws SUTAZAI_ERR_BACKUP_CORRUPT (or _INCOMPATIBLE) naming what differs.
 */
export async function verifyBackup(backupsDir: string, id: string): Promise<VerifyReport> {
  const started = Date.now();
  const manifest = readManifest(backupsDir, id);
  const dir = backupPath(backupsDir, id);
  await checkFiles(dir, manifest);
  const scratch = await openPglite(undefined);
  try {
    await scratch.transaction((tx) => loadBackup(tx, dir, manifest));
  } finally {
    await scratch.close();
  }
  return {
    id,
    ok: true,
    engine: manifest.engine,
    tables: manifest.tables.map((t) => ({ name: t.name, rows: t.rows })),
    files: manifest.files.length,
    durationMs: Date.now() - started,
  };
}
