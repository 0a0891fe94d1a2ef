import { z } from 'zod';
import type { OptimizerConfig } from '../../config/schema.js';
import type { Db } from '../../db/types.js';
import type { DockerClient } from '../../ops/sources/docker-types.js';
import { placementReport } from '../../optimizer/index.js';
import { parseStep } from '../../optimizer/time-input.js';
import type { RouteModule } from '../app.js';

export interface PlacementRouteDeps {
  db: Db;
  config: OptimizerConfig;
  docker?: DockerClient;
}

const MAX_WINDOW_SECONDS = 30 * 86_400;

const PlacementQuery = z.strictObject({
  window: z
    .string()
    .max(12)
    .refine((v) => {
      const s = parseStep(v);
      return s !== undefined && s <= MAX_WINDOW_SECONDS;
    }, 'seconds, or a number with s, m, h or d (1 s to 30 d)')
    .optional(),
});

/**
 * GET /api/v1/optimizer/placement: per-core load, the placement findings and a cpuset suggestion
 * (docs/optimizer.md "CPU placement"). Admin-only like the rest of the optimizer: it names the
 * host's containers and their cpusets.
 */
export function placementRoutes(deps: PlacementRouteDeps): RouteModule {
  return (app) => {
    app.get(
      '/api/v1/optimizer/placement',
      {
        schema: {
          tags: ['optimizer'],
          summary:
            'CPU placement: per-core load, findings and suggested cpusets over a window (default 24 h)',
          querystring: PlacementQuery,
        },
        config: { access: 'admin', rateLimit: 'expensive' },
      },
      async (req) => {
        const w = req.query.window;
        return placementReport(
          { db: deps.db, config: deps.config, ...(deps.docker ? { docker: deps.docker } : {}) },
          w ? { windowMs: parseStep(w)! * 1000 } : {},
        );
      },
    );
  };
}
