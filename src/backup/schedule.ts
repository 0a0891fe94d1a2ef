import type { Logger } from 'pino';
import type { BackupService } from './service.js';

export interface ScheduleOptions {
  service: BackupService;
  intervalMs: number;
  retain: number;
  logger: Logger;
}

/**
 * Scheduled backups inside `sutazai up`: every interval, one backup, then prune to `retain`.
 * A failure is logged (backup:scheduled:failed) and the next interval tries again. stop() waits
 * for a backup in flight, so shutdown never closes the database under a dump.
 */
export function startBackupSchedule(options: ScheduleOptions): { stop(): Promise<void> } {
  const { service, logger } = options;
  const tick = async () => {
    try {
      const manifest = await service.create();
      const removed = service.prune(options.retain);
      logger.info(
        { id: manifest.id, bytes: manifest.bytes, durationMs: manifest.durationMs, pruned: removed.length },
        'backup:scheduled:done',
      );
    } catch (err) {
      logger.error({ err }, 'backup:scheduled:failed');
    }
  };
  let inFlight: Promise<void> | undefined;
  const timer = setInterval(() => {
    inFlight ??= tick().finally(() => (inFlight = undefined));
  }, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
      await service.idle();
    },
  };
}
