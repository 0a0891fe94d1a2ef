import { z } from 'zod';
import {
  applyChanges,
  ApplyRequestSchema,
  buildPlan,
  PlanModeSchema,
  publicPlan,
  rollbackChanges,
  RollbackRequestSchema,
  type ApplyDeps,
} from '../../optimizer/index.js';
import type { RouteModule } from '../app.js';

/**
 * GET /api/v1/optimizer/plan, POST /apply and /rollback (docs/optimizer.md): admin-only, like the
 * doctor's fix. Apply needs `confirm: true` and ids from the current plan; it backs up, applies,
 * verifies and rolls back by itself when verification fails.
 */
export function optimizerRoutes(deps: () => ApplyDeps): RouteModule {
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
  };
}
