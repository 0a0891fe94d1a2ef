import { z } from 'zod';
import { summarize, type BackupService } from '../../backup/index.js';
import type { RouteModule } from '../app.js';

const idParam = z.strictObject({ id: z.string().min(1).max(64) });

/**
 * /api/v1/backups: create, list, inspect, verify and prune backups of the running platform; all
 * admin-only (a backup holds password and API key hashes). Restore is the CLI's alone: it must
 * replace the database under a stopped platform (decision 0060).
 */
export function backupsRoutes(deps: { backups: BackupService; retain: number }): RouteModule {
  return (app) => {
    app.get(
      '/api/v1/backups',
      {
        schema: { tags: ['backups'], summary: 'List complete backups, newest first' },
        config: { access: 'admin' },
      },
      async () => ({ backups: deps.backups.list().map(summarize) }),
    );

    app.post(
      '/api/v1/backups',
      {
        schema: {
          tags: ['backups'],
          summary: 'Back up the database and config files now (one consistent snapshot)',
        },
        config: { access: 'admin', rateLimit: 'expensive' },
      },
      async (_req, reply) => {
        const manifest = await deps.backups.create();
        return reply.code(201).send(summarize(manifest));
      },
    );

    app.get(
      '/api/v1/backups/:id',
      {
        schema: {
          tags: ['backups'],
          summary: "A backup's manifest: tables, row counts, files and checksums",
          params: idParam,
        },
        config: { access: 'admin' },
      },
      async (req) => deps.backups.get(req.params.id),
    );

    app.post(
      '/api/v1/backups/:id/verify',
      {
        schema: {
          tags: ['backups'],
          summary: 'Check checksums and restore into a scratch embedded database; 422 when anything differs',
          params: idParam,
        },
        config: { access: 'admin', rateLimit: 'expensive' },
      },
      async (req) => deps.backups.verify(req.params.id),
    );

    app.post(
      '/api/v1/backups/prune',
      {
        schema: {
          tags: ['backups'],
          summary: 'Delete all but the newest backups (default: backup.retain)',
          body: z.strictObject({ retain: z.number().int().positive().max(1000).optional() }).optional(),
        },
        config: { access: 'admin' },
      },
      async (req) => ({ removed: deps.backups.prune(req.body?.retain ?? deps.retain) }),
    );
  };
}
