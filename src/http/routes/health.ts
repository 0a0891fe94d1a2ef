import { z } from 'zod';
import type { HealthRegistry } from '../../health/index.js';
import type { RouteModule } from '../app.js';

const ProbeResultSchema = z.object({
  name: z.string(),
  required: z.boolean(),
  status: z.enum(['up', 'down', 'unknown']),
  latency_ms: z.number().nullable(),
  checked_at: z.string().nullable(),
  error: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).optional(),
});

const DetailedSchema = z.object({
  status: z.enum(['up', 'degraded', 'down']),
  ready: z.boolean(),
  version: z.string(),
  uptime_seconds: z.number(),
  checks: z.array(ProbeResultSchema),
});

export interface HealthRouteDeps {
  health: HealthRegistry;
  version: string;
  startedAt: number;
}

/** Liveness (/health), and detailed readiness (/api/v1/health/detailed, /ready): 503 when a required dependency is down. */
export function healthRoutes(deps: HealthRouteDeps): RouteModule {
  return (app) => {
    app.get(
      '/health',
      {
        config: { access: 'public' },
        schema: {
          tags: ['health'],
          summary: 'Liveness: the process answers',
          response: { 200: z.object({ status: z.literal('ok'), uptime_seconds: z.number() }) },
        },
      },
      async () => ({ status: 'ok' as const, uptime_seconds: uptime(deps.startedAt) }),
    );

    const detailed = async (_request: unknown, reply: { status(code: number): unknown }) => {
      const report = await deps.health.report();
      reply.status(report.ready ? 200 : 503);
      return {
        status: report.status,
        ready: report.ready,
        version: deps.version,
        uptime_seconds: uptime(deps.startedAt),
        checks: report.checks.map((c) => ({
          name: c.name,
          required: c.required,
          status: c.status,
          latency_ms: c.latencyMs,
          checked_at: c.checkedAt,
          error: c.error,
          ...(c.detail ? { detail: c.detail } : {}),
        })),
      };
    };
    const schema = (summary: string) => ({
      tags: ['health'],
      summary,
      response: { 200: DetailedSchema, 503: DetailedSchema },
    });
    const report = 'Every probe with its last result; 503 when a required dependency is down';
    app.get('/api/v1/health/detailed', { config: { access: 'public' }, schema: schema(report) }, detailed);
    app.get('/ready', { config: { access: 'public' }, schema: schema(`Readiness. ${report}`) }, detailed);
  };
}

function uptime(startedAt: number): number {
  return Math.round((Date.now() - startedAt) / 100) / 10;
}
