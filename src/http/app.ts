import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { SutazaiError } from '../errors.js';
import { httpRequestDuration } from '../metrics/index.js';
import { assertBrowserOrigin, type BrowserOriginPolicy } from './browser-origin.js';
import { sendError, toSutazaiError } from './errors.js';
import { assertSafeHeaders, assertSafeValue, parseJsonBody } from '../safe-input.js';
import { documentRoute } from './openapi.js';
import type { RateLimiter, RateRule } from './rate-limit.js';
import type { Access, App, Principal, RateLimitRule } from './types.js';

export interface Authenticator {
  /**
   * The caller named by the Authorization / X-API-Key headers; undefined when none. May throw
   * SUTAZAI_ERR_AUTH_INVALID_TOKEN for a presented credential that does not verify.
   */
  authenticate(request: FastifyRequest): Promise<Principal | undefined>;
}

export interface HttpOptions {
  logger: Logger;
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  /** When false every caller is an anonymous admin (only allowed on a loopback bind). */
  authEnabled: boolean;
  authenticator: Authenticator;
  rateLimiter: RateLimiter;
  rateRules: Record<RateLimitRule, RateRule>;
  /**
   * Which Host and Origin headers name this server (DNS-rebinding defence), checked before auth.
   * Defaults to a loopback server's: localhost names only.
   */
  browserOrigin?: BrowserOriginPolicy;
  /** Reports whether the server is draining; new requests then get 503. */
  isShuttingDown?: () => boolean;
}

export type RouteModule = (app: App) => Promise<void> | void;

const ANONYMOUS_ADMIN: Principal = { kind: 'anonymous', id: 'anonymous', name: 'anonymous', role: 'admin' };
const LOOPBACK_ONLY: BrowserOriginPolicy = { bindHost: '127.0.0.1', allowedHosts: [], allowedOrigins: [] };
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

function accessOf(request: FastifyRequest): Access {
  const declared = request.routeOptions.config?.access;
  if (declared) return declared;
  return request.url.startsWith('/api/') ? 'user' : 'public';
}

/** Builds the Fastify app: error shape, request ids, auth, rate limits, metrics, OpenAPI at /docs. */
export async function buildHttpApp(options: HttpOptions, routes: readonly RouteModule[]): Promise<App> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimitBytes,
    requestTimeout: options.requestTimeoutMs,
    connectionTimeout: options.requestTimeoutMs,
    return503OnClosing: true,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<ZodTypeProvider>() as unknown as App;

  // Drain: a response that finishes after close() began closes its connection. Without this its
  // keep-alive socket held server.close() open until `up`'s force-exit bound, so a SIGTERM with a
  // request in flight exited 1 after 10 s (test/integration/cli/drain-keep-alive.test.ts).
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // The API speaks JSON only; this parser bounds depth and keys before anything recurses.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.setErrorHandler((err, request, reply) => {
    const error = toSutazaiError(err, request, options.bodyLimitBytes);
    if (error.status >= 500) request.log.error({ err }, 'request failed');
    return sendError(reply, error);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new SutazaiError('SUTAZAI_ERR_HTTP_NOT_FOUND', {
        method: request.method,
        url: request.url.split('?')[0],
      }),
    ),
  );

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    assertBrowserOrigin(options.browserOrigin ?? LOOPBACK_ONLY, request.headers);
    // Before auth: credentials, ids and filters go to the database, which cannot store NUL.
    assertSafeHeaders(request.headers);
    assertSafeValue(request.query, 'query');
    assertSafeValue(request.params, 'params');
    if (options.isShuttingDown?.())
      throw new SutazaiError('SUTAZAI_ERR_SHUTTING_DOWN', {}, { headers: { 'retry-after': '5' } });
    if (request.routeOptions.url === undefined) return; // unknown route: the 404 handler answers
    const access = accessOf(request);
    request.principal = options.authEnabled
      ? await authenticate(options.authenticator, request, access)
      : ANONYMOUS_ADMIN;
    if (access !== 'public') {
      if (!request.principal)
        throw new SutazaiError(
          'SUTAZAI_ERR_AUTH_REQUIRED',
          {},
          { headers: { 'www-authenticate': 'Bearer' } },
        );
      if (access === 'admin' && request.principal.role !== 'admin') {
        throw new SutazaiError('SUTAZAI_ERR_AUTH_FORBIDDEN', { role: 'admin' });
      }
    }
    const ruleName = request.routeOptions.config?.rateLimit;
    if (ruleName) await enforceRateLimit(options, request, ruleName, reply);
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    httpRequestDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.addHook('onRoute', documentRoute);
  await app.register(swagger, {
    openapi: {
      info: { title: 'SutazAI API', version: '1' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  for (const register of routes) await register(app);
  return app;
}

/**
 * The authenticator throws SUTAZAI_ERR_AUTH_INVALID_TOKEN for a credential that is presented but
 * invalid or expired (so clients know to refresh); a public route ignores it and runs anonymously.
 */
async function authenticate(
  authenticator: Authenticator,
  request: FastifyRequest,
  access: Access,
): Promise<Principal | undefined> {
  try {
    return await authenticator.authenticate(request);
  } catch (err) {
    if (access === 'public' && err instanceof SutazaiError && err.code === 'SUTAZAI_ERR_AUTH_INVALID_TOKEN')
      return undefined;
    throw err;
  }
}

async function enforceRateLimit(
  options: HttpOptions,
  request: FastifyRequest,
  ruleName: RateLimitRule,
  reply: { header(name: string, value: string): unknown },
): Promise<void> {
  const rule = options.rateRules[ruleName];
  const who = request.principal && request.principal.kind !== 'anonymous' ? request.principal.id : request.ip;
  const decision = await options.rateLimiter.hit(`${ruleName}:${who}`, rule);
  reply.header('x-ratelimit-limit', String(rule.max));
  reply.header('x-ratelimit-remaining', String(decision.remaining));
  if (!decision.allowed) {
    throw new SutazaiError(
      'SUTAZAI_ERR_RATE_LIMITED',
      { retryAfter: decision.retryAfterSeconds },
      { headers: { 'retry-after': String(decision.retryAfterSeconds) } },
    );
  }
}
