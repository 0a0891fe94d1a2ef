import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthService, createDbSecretProvider, ensureAdmin } from '../../../src/auth/index.js';
import { freshPglite } from '../../helpers/db.js';
import { ADMIN, USER, bearer, harness, type Harness } from './setup.js';

/** Set-Cookie values of a response, by cookie name. */
function setCookies(headers: Record<string, unknown>): Map<string, string> {
  const raw = headers['set-cookie'];
  const list = Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
  return new Map(list.map((c) => [c.slice(0, c.indexOf('=')), c]));
}
const valueOf = (cookie: string | undefined) => cookie?.split(';')[0]!.split('=')[1] ?? '';

interface Session {
  access: string;
  refresh: string;
  csrf: string;
}

describe('browser sessions: refresh token in an HttpOnly cookie, CSRF double-submit', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  async function cookieLogin(): Promise<Session & { setCookie: Map<string, string>; body: unknown }> {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { ...USER, session: 'cookie' },
    });
    expect(res.statusCode).toBe(200);
    const setCookie = setCookies(res.headers);
    const body = res.json<{ access_token: string; csrf_token: string }>();
    return {
      access: body.access_token,
      refresh: valueOf(setCookie.get('sutazai_refresh')),
      csrf: body.csrf_token,
      setCookie,
      body,
    };
  }

  const cookieHeader = (s: Pick<Session, 'refresh' | 'csrf'>) =>
    `sutazai_refresh=${s.refresh}; sutazai_csrf=${s.csrf}`;

  it('login with session "cookie" sets the cookies with their attributes and keeps the refresh token out of the body', async () => {
    const s = await cookieLogin();
    expect(s.body).toMatchObject({ token_type: 'Bearer', expires_in: 60, user: { username: 'ada' } });
    expect(s.body).not.toHaveProperty('refresh_token');
    const refresh = s.setCookie.get('sutazai_refresh')!;
    expect(s.refresh).toMatch(/^rt_/);
    expect(refresh).toContain('HttpOnly');
    expect(refresh).toContain('SameSite=Strict');
    expect(refresh).toContain('Path=/api/v1/auth');
    expect(refresh).toContain(`Max-Age=${7 * 24 * 3600}`);
    expect(refresh).not.toContain('Secure'); // plain HTTP: a Secure cookie would never come back
    const csrf = s.setCookie.get('sutazai_csrf')!;
    expect(valueOf(csrf)).toBe(s.csrf);
    expect(csrf).not.toContain('HttpOnly');
    expect(csrf).toContain('SameSite=Strict');
    expect(csrf).toContain('Path=/;');
    const me = await h.app.inject({ url: '/api/v1/auth/me', headers: bearer(s.access) });
    expect(me.json()).toMatchObject({ name: 'ada' });
  });

  it('refuses a cookie refresh without the CSRF header, or with a different one, with 403 AUTH_CSRF', async () => {
    const s = await cookieLogin();
    for (const headers of [
      { cookie: cookieHeader(s) },
      { cookie: cookieHeader(s), 'x-csrf-token': 'x'.repeat(s.csrf.length) },
      { cookie: `sutazai_refresh=${s.refresh}`, 'x-csrf-token': s.csrf },
    ]) {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', headers, payload: {} });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('SUTAZAI_ERR_AUTH_CSRF');
    }
    // The refused attempts did not consume the cookie: it still refreshes.
    const ok = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      headers: { cookie: cookieHeader(s), 'x-csrf-token': s.csrf },
    });
    expect(ok.statusCode).toBe(200);
  });

  it('a cookie refresh (no body at all) rotates the cookie and the CSRF token; the old cookie is dead', async () => {
    const s = await cookieLogin();
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      headers: { cookie: cookieHeader(s), 'x-csrf-token': s.csrf },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ access_token: string; csrf_token: string }>();
    expect(body).not.toHaveProperty('refresh_token');
    const set = setCookies(res.headers);
    const next = { refresh: valueOf(set.get('sutazai_refresh')), csrf: body.csrf_token };
    expect(next.refresh).toMatch(/^rt_/);
    expect(next.refresh).not.toBe(s.refresh);
    expect(valueOf(set.get('sutazai_csrf'))).toBe(next.csrf);
    expect(next.csrf).not.toBe(s.csrf);
    const me = await h.app.inject({ url: '/api/v1/auth/me', headers: bearer(body.access_token) });
    expect(me.statusCode).toBe(200);

    const replay = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      headers: { cookie: cookieHeader({ refresh: s.refresh, csrf: next.csrf }), 'x-csrf-token': next.csrf },
      payload: {},
    });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('SUTAZAI_ERR_AUTH_INVALID_TOKEN');
    expect(setCookies(replay.headers).get('sutazai_refresh')).toContain('Max-Age=0');
  });

  it('logout with the cookie and the CSRF header revokes the refresh token and clears both cookies', async () => {
    const s = await cookieLogin();
    const refused = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: cookieHeader(s) },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('SUTAZAI_ERR_AUTH_CSRF');

    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: cookieHeader(s), 'x-csrf-token': s.csrf },
    });
    expect(res.statusCode).toBe(204);
    const cleared = setCookies(res.headers);
    expect(cleared.get('sutazai_refresh')).toMatch(/^sutazai_refresh=;.*Max-Age=0/);
    expect(cleared.get('sutazai_refresh')).toContain('Path=/api/v1/auth');
    expect(cleared.get('sutazai_csrf')).toMatch(/^sutazai_csrf=;.*Max-Age=0/);

    const after = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      headers: { cookie: cookieHeader(s), 'x-csrf-token': s.csrf },
    });
    expect(after.statusCode).toBe(401);
  });

  it('a password change from a browser session continues on a new cookie', async () => {
    const h2 = await harness();
    try {
      const login = await h2.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { ...USER, session: 'cookie' },
      });
      const refresh = valueOf(setCookies(login.headers).get('sutazai_refresh'));
      const res = await h2.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers: { ...bearer(login.json().access_token), cookie: `sutazai_refresh=${refresh}` },
        payload: { current_password: USER.password, new_password: 'a-brand-new-password-1' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).not.toHaveProperty('refresh_token');
      const next = valueOf(setCookies(res.headers).get('sutazai_refresh'));
      expect(next).toMatch(/^rt_/);
      expect(next).not.toBe(refresh);
    } finally {
      await h2.close();
    }
  });

  it('leaves API callers unchanged: body tokens, no cookies, no CSRF needed', async () => {
    const login = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: ADMIN });
    expect(login.headers['set-cookie']).toBeUndefined();
    const { refresh_token } = login.json<{ refresh_token: string }>();
    const refreshed = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token },
    });
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.json().refresh_token).toMatch(/^rt_/);
    expect(refreshed.headers['set-cookie']).toBeUndefined();
    const out = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      payload: { refresh_token: refreshed.json().refresh_token },
    });
    expect(out.statusCode).toBe(204);
    const dead = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: refreshed.json().refresh_token },
    });
    expect(dead.statusCode).toBe(401);
  });

  it('refuses a cross-origin refresh before anything else (decision 0015)', async () => {
    const s = await cookieLogin();
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      headers: { cookie: cookieHeader(s), 'x-csrf-token': s.csrf, origin: 'http://evil.example' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('SUTAZAI_ERR_HTTP_ORIGIN_NOT_ALLOWED');
  });
});

describe('first run hint', () => {
  it('is set when the admin got a generated password, names where it was printed, and ends at the first sign-in', async () => {
    const db = await freshPglite();
    try {
      const auth = new AuthService({ db, secretProvider: createDbSecretProvider(db) });
      expect(await auth.firstRun()).toEqual({ firstRun: false, hint: null });
      const created = await ensureAdmin({ db, username: 'admin', logger: pino({ level: 'silent' }) });
      const run = await auth.firstRun();
      expect(run.firstRun).toBe(true);
      expect(run.hint).toContain('"admin"');
      expect(run.hint).toContain('sutazai up');
      expect(run.hint).not.toContain(created.generatedPassword!);
      await auth.login('admin', created.generatedPassword!);
      expect(await auth.firstRun()).toEqual({ firstRun: false, hint: null });
    } finally {
      await db.close();
    }
  });

  it('is not set when the admin password was configured', async () => {
    const db = await freshPglite();
    try {
      const auth = new AuthService({ db, secretProvider: createDbSecretProvider(db) });
      await ensureAdmin({
        db,
        username: 'admin',
        password: 'configured-pass-123',
        logger: pino({ level: 'silent' }),
      });
      expect((await auth.firstRun()).firstRun).toBe(false);
    } finally {
      await db.close();
    }
  });

  it('GET /api/v1/auth/first-run is public', async () => {
    const h = await harness();
    try {
      const res = await h.app.inject({ url: '/api/v1/auth/first-run' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ first_run: false, hint: null });
    } finally {
      await h.close();
    }
  });
});
