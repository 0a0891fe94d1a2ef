import type { Db } from '../db/index.js';
import { SutazaiError } from '../errors.js';
import type { ConfigSources } from './files.js';
import type { Manifest } from './manifest.js';
import { createBackup, listBackups, pruneBackups, readManifest } from './store.js';
import { verifyBackup, type VerifyReport } from './verify.js';

export interface BackupServiceOptions {
  /** The open database; commands that only read backups (list, verify, prune) need none. */
  db?: Db;
  backupsDir: string;
  config: ConfigSources;
  pgDumpUrl?: string;
}

export interface BackupSummary {
  id: string;
  createdAt: string;
  engine: Manifest['engine'];
  version: string;
  bytes: number;
  durationMs: number;
  tables: Array<{ name: string; rows: number }>;
  files: number;
}

export function summarize(m: Manifest): BackupSummary {
  return {
    id: m.id,
    createdAt: m.createdAt,
    engine: m.engine,
    version: m.version,
    bytes: m.bytes,
    durationMs: m.durationMs,
    tables: m.tables.map((t) => ({ name: t.name, rows: t.rows })),
    files: m.files.length,
  };
}

/**
 * Backups of a running platform (API and schedule). One operation at a time per process: a second
 * one answers SUTAZAI_ERR_BACKUP_BUSY rather than queueing dumps and scratch databases.
 */
export class BackupService {
  private running: Promise<unknown> | undefined;

  constructor(private readonly options: BackupServiceOptions) {}

  get backupsDir(): string {
    return this.options.backupsDir;
  }

  create(): Promise<Manifest> {
    const db = this.options.db;
    if (!db) throw new Error('BackupService.create needs an open database');
    return this.exclusive(() => createBackup({ ...this.options, db }));
  }

  verify(id: string): Promise<VerifyReport> {
    readManifest(this.options.backupsDir, id); // 404 before taking the slot
    return this.exclusive(() => verifyBackup(this.options.backupsDir, id));
  }

  list(): Manifest[] {
    return listBackups(this.options.backupsDir);
  }

  get(id: string): Manifest {
    return readManifest(this.options.backupsDir, id);
  }

  prune(retain: number): string[] {
    return pruneBackups(this.options.backupsDir, retain);
  }

  /** Resolves when the operation in flight (if any) has ended; for shutdown. */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running)
      throw new SutazaiError('SUTAZAI_ERR_BACKUP_BUSY', {}, { headers: { 'retry-after': '5' } });
    const run = fn();
    this.running = run;
    return run.finally(() => {
      this.running = undefined;
    });
  }
}
