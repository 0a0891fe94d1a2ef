import type { RouteModule } from '../../src/http/app.js';
import type { Access, App, RateLimitRule } from '../../src/http/types.js';

export interface CollectedRoute {
  method: string;
  url: string;
  /** The effective access level: the declared one, else 'user' under /api/ and 'public' elsewhere. */
  access: Access;
  rateLimit?: RateLimitRule;
}

const collected = new WeakMap<object, CollectedRoute[]>();

/**
 * A route module that records every route registered after it. Pass `hook` first in the routes
 * given to buildHttpApp; `routes` (or `listRoutes(app)`) then holds the whole route table, from
 * which a test can generate "every protected route refuses without credentials".
 * HEAD routes Fastify adds for each GET are left out.
 */
export function collectRoutes(): { hook: RouteModule; routes: CollectedRoute[] } {
  const routes: CollectedRoute[] = [];
  const hook: RouteModule = (app: App) => {
    collected.set(app, routes);
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const config = (route.config ?? {}) as { access?: Access; rateLimit?: RateLimitRule };
      const url = route.url ?? route.path;
      const access = config.access ?? (url.startsWith('/api/') ? 'user' : 'public');
      for (const method of methods) {
        if (method === 'HEAD') continue;
        routes.push({ method, url, access, ...(config.rateLimit ? { rateLimit: config.rateLimit } : {}) });
      }
    });
  };
  return { hook, routes };
}

/** The routes recorded for an app built with `collectRoutes().hook` first. */
export function listRoutes(app: App): CollectedRoute[] {
  const routes = collected.get(app);
  if (!routes)
    throw new Error('listRoutes: build the app with collectRoutes().hook as its first route module');
  return routes;
}

/** A concrete URL for a route template: every `:param` becomes a syntactically valid UUID. */
export function sampleUrl(template: string): string {
  return template.replace(/:[A-Za-z0-9_]+/g, '00000000-0000-4000-8000-000000000000').replace(/\*$/, 'x');
}
