import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/index.js';
import { SutazaiError } from '../errors.js';
import { VERSION } from '../version.js';
import { sha256File } from './digest.js';
import { dumpDatabase } from './dump.js';
import { copyConfigFiles, type ConfigSources } from './files.js';
import { BACKUP_FORMAT, ManifestSchema, type Manifest } from './manifest.js';

const STALE_PARTIAL_MS = 3600_000;

/** Backup ids: a UTC timestamp to the millisecond (sorts by age) and a random suffix. */
export const BACKUP_ID = /^\d{8}T\d{9}Z-[0-9a-f]{6}$/;

export interface CreateOptions {
  db: Db;
  backupsDir: string;
  config: ConfigSources;
  /** PostgreSQL URL for pg_dump's second copy; left out on the embedded engine. */
  pgDumpUrl?: string;
  now?: Date;
}

/** Backups hold password and API key hashes: the directory is 0700 and every file 0600. */
export function ensureBackupsDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

export function newBackupId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * Writes a backup into a hidden `.<id>.partial` directory and renames it into place once its
 * manifest is written: a crash mid-backup never leaves something that `list` shows as complete.
 */
export async function createBackup(options: CreateOptions): Promise<Manifest> {
  const started = Date.now();
  ensureBackupsDir(options.backupsDir);
  const id = newBackupId(options.now);
  const work = path.join(options.backupsDir, `.${id}.partial`);
  mkdirSync(path.join(work, 'db'), { recursive: true, mode: 0o700 });
  try {
    const dump = await dumpDatabase(options.db, work, options.pgDumpUrl);
    const files = await copyConfigFiles(options.config, work);
    const manifest: Manifest = {
      format: BACKUP_FORMAT,
      id,
      createdAt: (options.now ?? new Date()).toISOString(),
      version: VERSION,
      engine: options.db.kind,
      ...dump,
      files,
      durationMs: Date.now() - started,
      bytes: 0,
    };
    manifest.bytes = totalBytes(work);
    writeFileSync(path.join(work, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, {
      mode: 0o600,
    });
    renameSync(work, path.join(options.backupsDir, id));
    return manifest;
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    if (err instanceof SutazaiError) throw err;
    throw new SutazaiError('SUTAZAI_ERR_BACKUP_FAILED', { reason: (err as Error).message }, { cause: err });
  }
}

function totalBytes(dir: string): number {
  let sum = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) sum += statSync(path.join(entry.parentPath, entry.name)).size;
  return sum;
}

/** Complete backups (those with a readable manifest), newest first. */
export function listBackups(backupsDir: string): Manifest[] {
  if (!existsSync(backupsDir)) return [];
  const out: Manifest[] = [];
  for (const name of readdirSync(backupsDir)
    .filter((n) => BACKUP_ID.test(n))
    .sort()
    .reverse()) {
    try {
      out.push(readManifest(backupsDir, name));
    } catch {
      // A manifest that does not parse is not a backup we can offer; verify names the problem.
    }
  }
  return out;
}

export function backupPath(backupsDir: string, id: string): string {
  if (!BACKUP_ID.test(id) || !existsSync(path.join(backupsDir, id)))
    throw new SutazaiError('SUTAZAI_ERR_BACKUP_NOT_FOUND', { id });
  return path.join(backupsDir, id);
}

export function readManifest(backupsDir: string, id: string): Manifest {
  const dir = backupPath(backupsDir, id);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  } catch (err) {
    throw new SutazaiError(
      'SUTAZAI_ERR_BACKUP_CORRUPT',
      { id, reason: 'manifest.json is missing or not JSON' },
      { cause: err },
    );
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success || parsed.data.id !== id)
    throw new SutazaiError('SUTAZAI_ERR_BACKUP_CORRUPT', {
      id,
      reason: 'manifest.json does not describe this backup',
    });
  return parsed.data;
}

/** Every file the manifest names must be there with its recorded sha256. */
export async function checkFiles(dir: string, manifest: Manifest): Promise<void> {
  const pgDump = manifest.pgDump && 'file' in manifest.pgDump ? [manifest.pgDump] : [];
  for (const entry of [...manifest.tables, ...manifest.files, ...pgDump]) {
    const file = path.join(dir, entry.file);
    if (!file.startsWith(dir + path.sep) || !existsSync(file))
      throw new SutazaiError('SUTAZAI_ERR_BACKUP_CORRUPT', {
        id: manifest.id,
        reason: `${entry.file} is missing`,
      });
    if ((await sha256File(file)) !== entry.sha256)
      throw new SutazaiError('SUTAZAI_ERR_BACKUP_CORRUPT', {
        id: manifest.id,
        reason: `${entry.file} does not match its checksum`,
      });
  }
}

/** Deletes all but the newest `retain` backups (and unfinished ones); returns the ids removed. */
export function pruneBackups(backupsDir: string, retain: number): string[] {
  if (!existsSync(backupsDir)) return [];
  // A .partial younger than an hour may be a backup being written right now by another process.
  for (const name of readdirSync(backupsDir).filter((n) => n.endsWith('.partial'))) {
    const full = path.join(backupsDir, name);
    if (Date.now() - statSync(full).mtimeMs > STALE_PARTIAL_MS)
      rmSync(full, { recursive: true, force: true });
  }
  const ids = readdirSync(backupsDir)
    .filter((n) => BACKUP_ID.test(n))
    .sort()
    .reverse();
  const removed = ids.slice(retain);
  for (const id of removed) rmSync(path.join(backupsDir, id), { recursive: true, force: true });
  return removed;
}
