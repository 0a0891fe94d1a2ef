import type { RouteOptions } from 'fastify';
import type { Access } from './types.js';

/**
 * Route-level OpenAPI facts that follow from the route table rather than from each module: a
 * public route says `security: []` (the document's default is "bearer or API key"), and a route
 * without tags is tagged by its area (`/api/v1/<area>/…`, `/mcp`, else the first segment).
 * Summaries stay with each route: only its author knows what it does.
 */
export function documentRoute(route: RouteOptions): void {
  const config = (route.config ?? {}) as { access?: Access };
  const access = config.access ?? (route.url.startsWith('/api/') ? 'user' : 'public');
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  if (access === 'public' && schema.security === undefined) schema.security = [];
  if (schema.tags === undefined) schema.tags = [areaOf(route.url)];
  route.schema = schema;
}

function areaOf(url: string): string {
  const parts = url.split('/').filter(Boolean);
  const area = parts[0] === 'api' ? parts[2] : parts[0];
  return area?.startsWith(':') || !area ? 'other' : area;
}
