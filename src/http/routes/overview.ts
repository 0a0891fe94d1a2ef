import { z } from 'zod';
import type { DoctorSummary } from '../../events/index.js';
import type { BackendOverview } from '../../llm/index.js';
import type { QueueOverview } from '../../tasks/index.js';
import type { RouteModule } from '../app.js';

export interface OverviewRouteDeps {
  queue: () => Promise<QueueOverview>;
  mcpStates: () => Record<string, number>;
  llm: () => BackendOverview[];
  doctor: () => DoctorSummary | undefined;
}

const Findings = z.object({
  critical: z.number().int(),
  high: z.number().int(),
  medium: z.number().int(),
  low: z.number().int(),
  info: z.number().int(),
});

const OverviewBody = z.object({
  queue: z.object({
    by_state: z.record(z.string(), z.number().int()),
    throughput_per_min: z.number().int(),
    lag_ms: z.number().int().nullable(),
  }),
  mcp: z.object({ by_state: z.record(z.string(), z.number().int()) }),
  llm: z.object({
    backends: z.array(
      z.object({
        name: z.string(),
        url: z.string(),
        breaker: z.enum(['closed', 'open', 'half_open']),
        models: z.array(
          z.object({ name: z.string(), slots_in_use: z.number().int(), slots_max: z.number().int() }),
        ),
      }),
    ),
  }),
  doctor: z.object({ at: z.string().nullable(), findings: Findings }),
});

const NO_FINDINGS = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };

/**
 * GET /api/v1/overview: the dashboard's first screen in one call. Queue counts by state,
 * throughput (tasks finished in the last minute) and lag (the oldest runnable task's wait); MCP
 * servers by state; LLM backends with breaker and per-model slots; the last doctor report's
 * counts (null `at` until one ran). Health is GET /api/v1/health/detailed.
 */
export function overviewRoutes(deps: OverviewRouteDeps): RouteModule {
  return (app) => {
    app.get(
      '/api/v1/overview',
      {
        schema: {
          tags: ['overview'],
          summary:
            'Queue, MCP, LLM backends and doctor findings at a glance (health: /api/v1/health/detailed)',
          response: { 200: OverviewBody },
        },
      },
      async () => {
        const queue = await deps.queue();
        const doctor = deps.doctor();
        return {
          queue: { by_state: queue.byState, throughput_per_min: queue.throughputPerMin, lag_ms: queue.lagMs },
          mcp: { by_state: deps.mcpStates() },
          llm: {
            backends: deps.llm().map((b) => ({
              name: b.name,
              url: b.url,
              breaker: b.breaker === 'half-open' ? ('half_open' as const) : b.breaker,
              models: b.models.map((m) => ({
                name: m.name,
                slots_in_use: m.slotsInUse,
                slots_max: m.slotsMax,
              })),
            })),
          },
          doctor: doctor ? { at: doctor.at, findings: doctor.findings } : { at: null, findings: NO_FINDINGS },
        };
      },
    );
  };
}
