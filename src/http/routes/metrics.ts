import { registry } from '../../metrics/index.js';
import type { RouteModule } from '../app.js';

export interface MetricsRouteDeps {
  /** Samplers run before each scrape (queue depth, process counts); a failing one is logged, not fatal. */
  samplers: ReadonlyArray<() => Promise<void>>;
}

/** Prometheus text exposition at /metrics. */
export function metricsRoutes(deps: MetricsRouteDeps): RouteModule {
  return (app) => {
    app.get('/metrics', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
      const results = await Promise.allSettled(deps.samplers.map((sample) => sample()));
      for (const r of results)
        if (r.status === 'rejected') request.log.warn({ err: r.reason }, 'metrics:sample:failed');
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    });
  };
}
