import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SutazaiError } from '../errors.js';
import { parseCookies, serializeCookie } from './cookies.js';

/**
 * The browser session (decision 0030). The refresh token lives in an HttpOnly cookie scoped to
 * /api/v1/auth, so page scripts never see it and no other route receives it; the access token
 * stays in page memory and goes out as `Authorization: Bearer`. Refresh and logout through the
 * cookie need the double-submit CSRF token: header X-CSRF-Token equal to the readable
 * `sutazai_csrf` cookie, which a page of another origin can neither read nor set.
 */
export const REFRESH_COOKIE = 'sutazai_refresh';
export const CSRF_COOKIE = 'sutazai_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const REFRESH_PATH = '/api/v1/auth';

/** Secure only over TLS: a Secure cookie set over plain http://127.0.0.1 would never come back. */
export function overTls(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Sets both cookies; returns the CSRF token for the response body. */
export function setSessionCookies(
  request: FastifyRequest,
  reply: FastifyReply,
  refreshToken: string,
  refreshTtlSeconds: number,
): string {
  const csrf = newCsrfToken();
  const secure = overTls(request);
  reply.header('set-cookie', [
    serializeCookie(REFRESH_COOKIE, refreshToken, {
      httpOnly: true,
      secure,
      path: REFRESH_PATH,
      maxAge: refreshTtlSeconds,
    }),
    serializeCookie(CSRF_COOKIE, csrf, { httpOnly: false, secure, path: '/', maxAge: refreshTtlSeconds }),
  ]);
  reply.header('cache-control', 'no-store');
  return csrf;
}

export function clearSessionCookies(request: FastifyRequest, reply: FastifyReply): void {
  const secure = overTls(request);
  reply.header('set-cookie', [
    serializeCookie(REFRESH_COOKIE, '', { httpOnly: true, secure, path: REFRESH_PATH, maxAge: 0 }),
    serializeCookie(CSRF_COOKIE, '', { httpOnly: false, secure, path: '/', maxAge: 0 }),
  ]);
}

/** The refresh cookie, when present; undefined otherwise. */
export function refreshCookie(request: FastifyRequest): string | undefined {
  return parseCookies(request.headers.cookie).get(REFRESH_COOKIE) || undefined;
}

/** Throws SUTAZAI_ERR_AUTH_CSRF unless X-CSRF-Token equals the sutazai_csrf cookie. */
export function assertCsrf(request: FastifyRequest): void {
  const cookie = parseCookies(request.headers.cookie).get(CSRF_COOKIE) ?? '';
  const header = request.headers[CSRF_HEADER];
  const sent = typeof header === 'string' ? header : '';
  const a = Buffer.from(cookie);
  const b = Buffer.from(sent);
  if (a.length === 0 || a.length !== b.length || !timingSafeEqual(a, b))
    throw new SutazaiError('SUTAZAI_ERR_AUTH_CSRF');
}
