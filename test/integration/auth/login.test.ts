import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, USER, bearer, harness, type Harness } from './setup.js';

describe('login, refresh, logout, me', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  it('logs in with the right password and /me names the user', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: USER });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 60,
      user: { username: 'ada', role: 'user' },
    });
    expect(body.refresh_token).toMatch(/^rt_/);
    const me = await h.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: bearer(body.access_token),
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({ kind: 'user', id: body.user.id, name: 'ada', role: 'user' });
  });

  it('answers the same error for an unknown user and a wrong password', async () => {
    const wrong = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: USER.username, password: 'not-the-password' },
    });
    const unknown = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'nobody', password: 'not-the-password' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json().error.code).toBe('SUTAZAI_ERR_AUTH_INVALID_CREDENTIALS');
  });

  it('refuses an access token once it expired, with INVALID_TOKEN', async () => {
    const { access } = await h.login(USER);
    h.clock.advance(59_000);
    expect((await h.app.inject({ url: '/api/v1/auth/me', headers: bearer(access) })).statusCode).toBe(200);
    h.clock.advance(1_000);
    const res = await h.app.inject({ url: '/api/v1/auth/me', headers: bearer(access) });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('SUTAZAI_ERR_AUTH_INVALID_TOKEN');
    expect(res.headers['www-authenticate']).toContain('invalid_token');
  });

  it('answers AUTH_REQUIRED without credentials and INVALID_TOKEN for garbage or another scheme', async () => {
    const none = await h.app.inject({ url: '/api/v1/auth/me' });
    expect(none.json().error.code).toBe('SUTAZAI_ERR_AUTH_REQUIRED');
    const garbage = await h.app.inject({ url: '/api/v1/auth/me', headers: bearer('a.b.c') });
    expect(garbage.json().error.code).toBe('SUTAZAI_ERR_AUTH_INVALID_TOKEN');
    const basic = await h.app.inject({ url: '/api/v1/auth/me', headers: { authorization: 'Basic YTpi' } });
    expect(basic.json().error.code).toBe('SUTAZAI_ERR_AUTH_INVALID_TOKEN');
  });

  it('lets a public route run with a stale token (login is not blocked by an old header)', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: bearer('stale.token.here'),
      payload: USER,
    });
    expect(res.statusCode).toBe(200);
  });

  it('rotates refresh tokens: the new one works, the old one is revoked', async () => {
    const first = await h.login(USER);
    const rotated = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: first.refresh },
    });
    expect(rotated.statusCode).toBe(200);
    const second = rotated.json().refresh_token as string;
    expect(second).not.toBe(first.refresh);
    const me = await h.app.inject({ url: '/api/v1/auth/me', headers: bearer(rotated.json().access_token) });
    expect(me.statusCode).toBe(200);
    const third = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: second },
    });
    expect(third.statusCode).toBe(200);
  });

  it('on reuse of a revoked refresh token revokes every refresh token of that user', async () => {
    const stolen = await h.login(USER);
    const otherDevice = await h.login(USER);
    const admin = await h.login(ADMIN);
    const refresh = (token: string) =>
      h.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: token } });
    const legit = await refresh(stolen.refresh);
    expect(legit.statusCode).toBe(200);
    const replay = await refresh(stolen.refresh);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('SUTAZAI_ERR_AUTH_INVALID_TOKEN');
    expect((await refresh(legit.json().refresh_token)).statusCode).toBe(401);
    expect((await refresh(otherDevice.refresh)).statusCode).toBe(401);
    expect((await refresh(admin.refresh)).statusCode).toBe(200); // other users are untouched
  });

  it('refuses an expired refresh token', async () => {
    const { refresh } = await h.login(USER);
    h.clock.advance(7 * 24 * 3600 * 1000 + 1);
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: refresh },
    });
    expect(res.statusCode).toBe(401);
  });

  it('logout revokes the refresh token and is idempotent', async () => {
    const { refresh } = await h.login(USER);
    const out = () =>
      h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', payload: { refresh_token: refresh } });
    expect((await out()).statusCode).toBe(204);
    expect((await out()).statusCode).toBe(204);
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: refresh },
    });
    expect(res.statusCode).toBe(401);
  });

  it('shares one signing key through the settings table', async () => {
    const { rows } = await h.db.query<{ value: { hs256: string } }>(
      "SELECT value FROM settings WHERE key = 'auth.signing_key'",
    );
    expect(Buffer.from(rows[0]!.value.hs256, 'base64url')).toHaveLength(32);
  });

  it('rate-limits login: 429 with Retry-After once the window is used up, and again after it resets', async () => {
    const app = await h.makeApp({ max: 3, windowSeconds: 60 });
    try {
      const attempt = () =>
        app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'x', password: 'y' } });
      for (let i = 0; i < 3; i++) expect((await attempt()).statusCode).toBe(401);
      const limited = await attempt();
      expect(limited.statusCode).toBe(429);
      expect(limited.json().error.code).toBe('SUTAZAI_ERR_RATE_LIMITED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      h.clock.advance(60_000);
      expect((await attempt()).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});
