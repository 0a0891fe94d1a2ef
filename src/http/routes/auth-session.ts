import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuthService, TokenPair } from '../../auth/index.js';
import { SutazaiError } from '../../errors.js';
import { assertCsrf, clearSessionCookies, refreshCookie, setSessionCookies } from '../browser-session.js';
import type { App } from '../types.js';
import { RoleSchema, tokenBody, TokenPairSchema } from './auth-schemas.js';

/** What a cookie session's login, refresh and password change answer: no refresh token in the body. */
export const CookieSessionSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  csrf_token: z.string(),
  user: z.object({ id: z.string(), username: z.string(), role: RoleSchema }),
});

const TokenOrSession = z.union([TokenPairSchema, CookieSessionSchema]);
/** `{refresh_token}`: the API caller's flow; `{}` or no body at all: the cookie flow. */
const OptionalTokenBody = z.strictObject({ refresh_token: z.string().min(1).max(512).optional() });

/** A browser may POST with no body; the schema then sees `{}`. */
async function emptyBodyIsEmptyObject(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}

/** Sets the session cookies for `pair` and answers the cookie shape. */
export function cookieSession(request: FastifyRequest, reply: FastifyReply, pair: TokenPair) {
  const csrf = setSessionCookies(request, reply, pair.refreshToken, pair.refreshExpiresIn);
  return {
    access_token: pair.accessToken,
    token_type: 'Bearer' as const,
    expires_in: pair.expiresIn,
    csrf_token: csrf,
    user: pair.user,
  };
}

/**
 * Login, refresh and logout for API callers (tokens in the body) and browsers (`session:
 * "cookie"`: the refresh token in an HttpOnly cookie, CSRF double-submit on refresh and logout;
 * decision 0030), and the public first-run hint for the sign-in page.
 */
export function registerSessionRoutes(app: App, auth: AuthService): void {
  app.post(
    '/api/v1/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Exchange username and password for tokens; session "cookie" puts the refresh token in an HttpOnly cookie',
        body: z.strictObject({
          username: z.string().min(1).max(200),
          password: z.string().min(1).max(1024),
          session: z.literal('cookie').optional(),
        }),
        response: { 200: TokenOrSession },
      },
      config: { access: 'public', rateLimit: 'login' },
    },
    async (request, reply) => {
      const pair = await auth.login(request.body.username, request.body.password);
      return request.body.session === 'cookie' ? cookieSession(request, reply, pair) : tokenBody(pair);
    },
  );

  app.post(
    '/api/v1/auth/refresh',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Rotate a refresh token (body, or the session cookie with X-CSRF-Token): the old one is revoked, a new one issued',
        body: OptionalTokenBody,
        response: { 200: TokenOrSession },
      },
      preValidation: emptyBodyIsEmptyObject,
      // Not the login rule: a refresh cannot guess a password, and every page load refreshes.
      config: { access: 'public', rateLimit: 'expensive' },
    },
    async (request, reply) => {
      const fromBody = request.body.refresh_token;
      if (fromBody !== undefined) return tokenBody(await auth.refresh(fromBody));
      assertCsrf(request);
      const cookie = refreshCookie(request);
      if (!cookie) throw new SutazaiError('SUTAZAI_ERR_AUTH_INVALID_TOKEN');
      try {
        return cookieSession(request, reply, await auth.refresh(cookie));
      } catch (err) {
        clearSessionCookies(request, reply); // a dead cookie is not worth sending again
        throw err;
      }
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Revoke a refresh token (body, or the session cookie with X-CSRF-Token, which is then cleared); idempotent',
        body: OptionalTokenBody,
      },
      preValidation: emptyBodyIsEmptyObject,
      config: { access: 'public' },
    },
    async (request, reply) => {
      const fromBody = request.body.refresh_token;
      if (fromBody !== undefined) {
        await auth.logout(fromBody);
        return reply.status(204).send();
      }
      assertCsrf(request);
      const cookie = refreshCookie(request);
      if (cookie) await auth.logout(cookie);
      clearSessionCookies(request, reply);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/auth/first-run',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Whether nobody has signed in since the admin got a generated password, and where it was printed',
        response: { 200: z.object({ first_run: z.boolean(), hint: z.string().nullable() }) },
      },
      config: { access: 'public' },
    },
    async () => {
      const run = await auth.firstRun();
      return { first_run: run.firstRun, hint: run.hint };
    },
  );
}
