export { BackupService, summarize, type BackupServiceOptions, type BackupSummary } from './service.js';
export { startBackupSchedule } from './schedule.js';
export {
  createBackup,
  listBackups,
  pruneBackups,
  readManifest,
  ensureBackupsDir,
  BACKUP_ID,
} from './store.js';
export { verifyBackup, type VerifyReport } from './verify.js';
export { restoreEmbedded, restorePostgres, type RestoreReport } from './restore.js';
export type { ConfigSources } from './files.js';
export type { Manifest } from './manifest.js';
export { backupsDirOf, configSourcesOf } from './context.js';
