import { isLoopback } from '../../config/index.js';
import { registry } from '../../metrics/index.js';
import type { RouteModule } from '../app.js';
import type { Access } from '../types.js';

export interface MetricsRouteDeps {
  /** Samplers run before each scrape (queue depth, process counts); a failing one is logged, not fatal. */
  samplers: ReadonlyArray<() => Promise<void>>;
  /** Who may scrape; see metricsAccess(). Defaults to public. */
  access?: Access;
}

/**
 * Config http.metricsAccess → route access. `auto`: a loopback bind keeps /metrics public (only
 * local processes reach it, and Prometheus needs no secret); any other bind needs credentials,
 * because the figures (routes, queue depth, models) describe the deployment to whoever asks.
 */
export function metricsAccess(setting: 'auto' | 'public' | 'user', bindHost: string): Access {
  if (setting !== 'auto') return setting;
  return isLoopback(bindHost) ? 'public' : 'user';
}

/** Prometheus text exposition at /metrics. */
export function metricsRoutes(deps: MetricsRouteDeps): RouteModule {
  return (app) => {
    app.get(
      '/metrics',
      { config: { access: deps.access ?? 'public' }, schema: { hide: true } },
      async (request, reply) => {
        const results = await Promise.allSettled(deps.samplers.map((sample) => sample()));
        for (const r of results)
          if (r.status === 'rejected') request.log.warn({ err: r.reason }, 'metrics:sample:failed');
        reply.header('content-type', registry.contentType);
        return registry.metrics();
      },
    );
  };
}
