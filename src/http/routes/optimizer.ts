import { z } from 'zod';
import {
  applyChanges,
  ApplyRequestSchema,
  autoStatus,
  AutoSwitchRequestSchema,
  buildPlan,
  PlanModeSchema,
  publicPlan,
  rollbackChanges,
  RollbackRequestSchema,
  setAutoSwitch,
  type ApplyDeps,
} from '../../optimizer/index.js';
import type { OptimizerConfig } from '../../config/schema.js';
import type { RouteModule } from '../app.js';

/**
 * GET /api/v1/optimizer/plan, POST /apply and /rollback (docs/optimizer.md): admin-only, like the
 * doctor's fix. Apply needs `confirm: true` and ids from the current plan; it backs up, applies,
 * verifies and rolls back by itself when verification fails. GET/POST /auto show auto mode and
 * pause or resume it (the kill switch, decision 0076).
 */
export function optimizerRoutes(deps: () => ApplyDeps, config: OptimizerConfig): RouteModule {
  return (app) => {
    app.get(
      '/api/v1/optimizer/plan',
      {
        schema: {
          tags: ['optimizer'],
          summary:
            'Right-sizing (or stepwise) changes with their evidence, and targets without enough history',
          querystring: z.strictObject({ mode: PlanModeSchema.default('rightsize') }),
        },
        config: { access: 'admin', rateLimit: 'expensive' },
      },
      async (req) => publicPlan(await buildPlan(deps(), req.query.mode)),
    );

    app.post(
      '/api/v1/optimizer/apply',
      {
        schema: {
          tags: ['optimizer'],
          summary:
            'Apply changes of the current plan: backup, live update and file edits, verification, rollback on failure',
          body: ApplyRequestSchema,
        },
        config: { access: 'admin', rateLimit: 'expensive' },
      },
      async (req) =>
        applyChanges(deps(), {
          ids: req.body.ids,
          ...(req.body.mode ? { mode: req.body.mode } : {}),
          ...(req.body.verifyWindowMs ? { verifyWindowMs: req.body.verifyWindowMs } : {}),
        }),
    );

    app.post(
      '/api/v1/optimizer/rollback',
      {
        schema: {
          tags: ['optimizer'],
          summary: 'Restore the files and containers of an apply from its backup',
          body: RollbackRequestSchema,
        },
        config: { access: 'admin', rateLimit: 'expensive' },
      },
      async (req) => rollbackChanges(deps(), req.body.backupId),
    );

    app.get(
      '/api/v1/optimizer/auto',
      {
        schema: {
          tags: ['optimizer'],
          summary: 'Whether auto mode acts (config and kill switch) and the latest steps',
        },
        config: { access: 'admin' },
      },
      async () => autoStatus(deps().db, config),
    );

    app.post(
      '/api/v1/optimizer/auto',
      {
        schema: {
          tags: ['optimizer'],
          summary:
            'Pause or resume auto mode (the kill switch): every process on the database obeys at its next tick',
          body: AutoSwitchRequestSchema,
        },
        config: { access: 'admin' },
      },
      async (req) => {
        const db = deps().db;
        await setAutoSwitch(db, !req.body.paused, Date.now());
        return autoStatus(db, config);
      },
    );
  };
}
