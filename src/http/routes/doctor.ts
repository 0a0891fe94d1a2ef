import { z } from 'zod';
import { SutazaiError } from '../../errors.js';
import {
  applyFix,
  auditOptions,
  listBackups,
  loadBackup,
  partialReasons,
  planFix,
  previewComposeDiffs,
  rollback,
  runAudit,
  toSarif,
  type AuditDeps,
  type AuditRequest,
  type Report,
} from '../../ops/index.js';
import type { RouteModule } from '../app.js';

export interface DoctorRouteDeps {
  /** Config, data dir, Docker client and platform source, as for the CLI. */
  audit: AuditDeps;
  /** Defaults for every audit the API runs (compose files, name filter, sources to leave out). */
  request?: AuditRequest;
  /** Told about every report produced here (the live events stream and the overview). */
  onReport?: (report: Report) => void;
  /** The optimizer's memory recommendations by container name, used by the limit fix when present. */
  memoryRecommendations?: () => Promise<ReadonlyMap<string, { bytes: number; basis: string }>>;
}

const ruleList = z.array(z.string().regex(/^[a-z][a-z0-9-]*$/)).max(50);

/** GET /report, POST /fix, GET /backups, POST /rollback under /api/v1/doctor: all admin-only. */
export function doctorRoutes(deps: DoctorRouteDeps): RouteModule {
  const request = (extra: Partial<AuditRequest>): AuditRequest => ({ ...deps.request, ...extra });
  const docker = () => {
    if (!deps.audit.docker) throw new SutazaiError('SUTAZAI_ERR_DOCTOR_DOCKER_UNAVAILABLE');
    return deps.audit.docker;
  };

  return (app) => {
    app.get(
      '/api/v1/doctor/report',
      {
        schema: {
          tags: ['doctor'],
          summary:
            'Audit the deployment; the body follows docs/schemas/doctor-report.schema.json (or SARIF 2.1.0)',
          querystring: z.strictObject({ format: z.enum(['json', 'sarif']).default('json') }),
        },
        // Host containers, processes and listeners: admins only.
        config: { access: 'admin', rateLimit: 'expensive' },
      },
      async (req) => {
        const { report } = await runAudit(auditOptions(deps.audit, request({})));
        deps.onReport?.(report);
        return req.query.format === 'sarif' ? toSarif(report) : report;
      },
    );

    app.post(
      '/api/v1/doctor/fix',
      {
        schema: {
          tags: ['doctor'],
          summary: 'Plan fixes, or apply them with backup, verification and automatic rollback',
          body: z.strictObject({
            apply: z.boolean().default(false),
            only: ruleList.optional(),
            verifyWindowMs: z.number().int().positive().max(600_000).optional(),
            /** Named dangling volumes to delete; named volumes are kept otherwise. */
            removeVolumes: z.array(z.string().min(1).max(255)).max(100).optional(),
          }),
        },
        config: { access: 'admin', rateLimit: 'expensive' },
      },
      async (req) => {
        const client = docker();
        const { report, snapshot, state } = await runAudit({
          ...auditOptions(deps.audit, request(req.body.only ? { only: req.body.only } : {})),
          stats: 'all',
        });
        if (report.partial)
          throw new SutazaiError('SUTAZAI_ERR_DOCTOR_PARTIAL_VIEW', {
            reasons: partialReasons(report).join('; '),
          });
        const plan = planFix(report, snapshot, state, deps.audit.config, {
          ...(req.body.removeVolumes ? { removeVolumes: req.body.removeVolumes } : {}),
          // Removals stay inside doctor.nameFilter, as the audit does: on a shared engine a
          // platform must not delete other people's dangling images and volumes.
          ...(deps.audit.config.nameFilter ? { nameFilter: deps.audit.config.nameFilter } : {}),
          ...(deps.memoryRecommendations
            ? { memoryRecommendations: await deps.memoryRecommendations() }
            : {}),
        });
        if (!req.body.apply) {
          // The dry run shows the compose edits apply would write, computed by the same edit.
          const composeDiffs = await previewComposeDiffs(plan, snapshot);
          return { plan: { ...plan, composeDiffs } };
        }
        const verify = {
          ...deps.audit.config.verify,
          ...(req.body.verifyWindowMs ? { windowMs: req.body.verifyWindowMs } : {}),
        };
        const result = await applyFix(plan, snapshot, {
          docker: client,
          dataDir: deps.audit.dataDir,
          verify,
          volumeBackupMaxBytes: deps.audit.config.volumeBackupMaxBytes,
        });
        return { plan, result };
      },
    );

    app.get(
      '/api/v1/doctor/backups',
      { schema: { tags: ['doctor'], summary: 'Fix backups, newest first' }, config: { access: 'admin' } },
      async () => ({
        backups: await listBackups(deps.audit.dataDir),
      }),
    );

    app.post(
      '/api/v1/doctor/rollback',
      {
        schema: {
          tags: ['doctor'],
          summary: 'Restore a backup (default: the newest)',
          body: z.strictObject({
            backup: z
              .string()
              .regex(/^[A-Za-z0-9._-]+$/)
              .optional(),
          }),
        },
        config: { access: 'admin', rateLimit: 'expensive' },
      },
      async (req) => {
        const client = docker();
        const backup = await loadBackup(deps.audit.dataDir, req.body.backup).catch((err: unknown) => {
          throw new SutazaiError(
            'SUTAZAI_ERR_DOCTOR_BACKUP_NOT_FOUND',
            { backup: req.body.backup ?? '(newest)' },
            { cause: err },
          );
        });
        const result = await rollback(client, backup);
        backup.manifest.outcome = 'restored';
        await backup.saveManifest();
        return result;
      },
    );
  };
}
