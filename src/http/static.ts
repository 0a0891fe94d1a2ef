import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SutazaiError } from '../errors.js';
import type { RouteModule } from './app.js';

/**
 * Serves the dashboard (web/dist, built by `npm ci`/`npm run build`) from `/`: hashed assets are
 * immutable, index.html is revalidated every time, and every HTML answer carries a CSP that allows
 * nothing inline and nothing from another origin. Unknown GET paths outside the API prefixes get
 * index.html (the app routes in the browser); under the API prefixes they stay JSON 404s.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** Paths that belong to the server, never to the app: an unknown one is the API's JSON 404. */
const SERVER_PREFIXES = ['/api', '/mcp', '/metrics', '/health', '/ready', '/docs'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface StaticOptions {
  /** The built app: web/dist. */
  dir: string;
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SutazAI: dashboard not built</title></head>
<body><main><h1>The SutazAI dashboard is not built</h1>
<p>The API is running (see <a href="/docs">/docs</a> and <a href="/api/v1/health/detailed">/api/v1/health/detailed</a>),
but <code>web/dist</code> is missing.</p>
<p>Build it from the repository with <code>npm ci</code> (which builds it) or <code>npm run build</code>, then reload.</p>
</main></body></html>
`;

function isServerPath(p: string): boolean {
  return SERVER_PREFIXES.some((prefix) => p === prefix || p.startsWith(prefix + '/'));
}

function notFound(request: FastifyRequest): SutazaiError {
  return new SutazaiError('SUTAZAI_ERR_HTTP_NOT_FOUND', {
    method: request.method,
    url: request.url.split('?')[0],
  });
}

/** The file under `dir` a URL path names, or undefined for anything that would leave `dir`. */
export function resolveInside(dir: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  if (decoded.split('/').some((seg) => seg === '..')) return undefined;
  const root = path.resolve(dir);
  const file = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  return file === root || file.startsWith(root + path.sep) ? file : undefined;
}

function htmlHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

async function fileOf(file: string | undefined): Promise<Buffer | undefined> {
  if (!file) return undefined;
  const info = await stat(file).catch(() => undefined);
  return info?.isFile() ? readFile(file) : undefined;
}

export function staticRoutes(options: StaticOptions): RouteModule {
  const dir = path.resolve(options.dir);
  const index = path.join(dir, 'index.html');

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const urlPath = request.url.split('?')[0] ?? '/';
    if (isServerPath(urlPath)) throw notFound(request);
    if (!existsSync(index))
      return htmlHeaders(reply).header('cache-control', 'no-cache').status(503).send(NOT_BUILT);
    const file = urlPath === '/' ? undefined : resolveInside(dir, urlPath);
    if (urlPath !== '/' && !file) throw notFound(request);
    const body = file && file !== index ? await fileOf(file) : undefined;
    if (body) {
      const ext = path.extname(file!);
      if (ext === '.html') htmlHeaders(reply);
      else reply.header('content-type', TYPES[ext] ?? 'application/octet-stream');
      reply.header('x-content-type-options', 'nosniff');
      // Vite names every file under assets/ by its content hash: it never changes.
      return reply
        .header('cache-control', urlPath.startsWith('/assets/') ? IMMUTABLE : 'no-cache')
        .send(body);
    }
    // A missing asset is a 404 (a browser must not get HTML for a script); any other path is a page.
    if (urlPath.startsWith('/assets/') || path.extname(urlPath) !== '') throw notFound(request);
    return htmlHeaders(reply)
      .header('cache-control', 'no-cache')
      .send(await readFile(index));
  };

  return (app) => {
    const route = {
      config: { access: 'public' as const },
      schema: { summary: 'The dashboard (web app): its files, and index.html for any page path', hide: true },
    };
    app.get('/', route, serve);
    app.get('/*', route, serve);
  };
}
