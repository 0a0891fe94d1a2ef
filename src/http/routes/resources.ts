import { z } from 'zod';
import type { OptimizerConfig } from '../../config/schema.js';
import type { Db } from '../../db/types.js';
import { listSeries, seriesForecast, seriesHistory, SERIES_PATTERN } from '../../optimizer/index.js';
import { parseStep, parseTime } from '../../optimizer/time-input.js';
import type { RouteModule } from '../app.js';

export interface ResourcesRouteDeps {
  db: Db;
  forecast: OptimizerConfig['forecast'];
}

const SeriesParams = z.strictObject({
  series: z.string().max(260).regex(SERIES_PATTERN, 'a series name such as container:memory_bytes:redis'),
});
const time = z
  .string()
  .max(40)
  .refine((v) => parseTime(v) !== undefined, 'ISO 8601 time or unix seconds');
const HistoryQuery = z.strictObject({
  from: time.optional(),
  to: time.optional(),
  step: z
    .string()
    .max(12)
    .refine((v) => parseStep(v) !== undefined, 'seconds, or a number with s, m, h or d (1 s to 366 d)')
    .optional(),
});

/**
 * GET /api/v1/resources, /api/v1/resources/{series}/history and /forecast: admin-only, like the
 * doctor's report (they describe the host's containers and processes).
 */
export function resourcesRoutes(deps: ResourcesRouteDeps): RouteModule {
  return (app) => {
    app.get(
      '/api/v1/resources',
      {
        schema: { tags: ['resources'], summary: 'Resource series with their latest values' },
        config: { access: 'admin' },
      },
      async () => ({ series: await listSeries(deps.db) }),
    );

    app.get(
      '/api/v1/resources/:series/history',
      {
        schema: {
          tags: ['resources'],
          summary: 'History of one series: min, max, mean and p95 per step (default: last hour, 60 s)',
          params: SeriesParams,
          querystring: HistoryQuery,
        },
        config: { access: 'admin' },
      },
      async (req) => {
        const q = req.query;
        return seriesHistory(deps.db, req.params.series, {
          ...(q.from ? { from: parseTime(q.from)! } : {}),
          ...(q.to ? { to: parseTime(q.to)! } : {}),
          ...(q.step ? { step: parseStep(q.step)! } : {}),
        });
      },
    );

    app.get(
      '/api/v1/resources/:series/forecast',
      {
        schema: {
          tags: ['resources'],
          summary:
            'Trend, prediction interval and time to exhaustion of one series, or why there is not enough evidence',
          params: SeriesParams,
        },
        config: { access: 'admin', rateLimit: 'expensive' },
      },
      async (req) => seriesForecast(deps.db, req.params.series, deps.forecast),
    );
  };
}
