import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError, query, readCookie } from '../../../web/src/api/client.js';
import { backoffMs } from '../../../web/src/api/events.js';

type Call = { url: string; init: RequestInit };

function fakeFetch(answers: Array<(call: Call) => Response>) {
  const calls: Call[] = [];
  const fn = async (url: string, init: RequestInit = {}) => {
    const call = { url, init };
    calls.push(call);
    const answer = answers.shift();
    if (!answer) throw new Error(`unexpected call ${url}`);
    return answer(call);
  };
  return { fn, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const header = (c: Call, name: string) => (c.init.headers as Record<string, string>)[name];

describe('ApiClient', () => {
  it('signs in with a cookie session and sends the access token as a Bearer header', async () => {
    const f = fakeFetch([
      () => json(200, { access_token: 'A1', token_type: 'Bearer', expires_in: 900, csrf_token: 'C' }),
      () => json(200, { ok: true }),
    ]);
    const c = new ApiClient(f.fn, () => '');
    await c.login('admin', 'pw');
    expect(JSON.parse(f.calls[0]!.init.body as string)).toEqual({
      username: 'admin',
      password: 'pw',
      session: 'cookie',
    });
    expect(await c.get('/api/v1/x')).toEqual({ ok: true });
    expect(header(f.calls[1]!, 'authorization')).toBe('Bearer A1');
  });

  it('on 401 refreshes once with the CSRF cookie and retries the call', async () => {
    const f = fakeFetch([
      () => json(401, { error: { code: 'SUTAZAI_ERR_AUTH_INVALID_TOKEN', message: 'expired' } }),
      () => json(200, { access_token: 'A2', token_type: 'Bearer', expires_in: 900 }),
      () => json(200, { n: 1 }),
    ]);
    const c = new ApiClient(f.fn, () => 'other=1; sutazai_csrf=tok%3D');
    expect(await c.get('/api/v1/tasks')).toEqual({ n: 1 });
    expect(f.calls[1]!.url).toBe('/api/v1/auth/refresh');
    expect(header(f.calls[1]!, 'x-csrf-token')).toBe('tok=');
    expect(header(f.calls[2]!, 'authorization')).toBe('Bearer A2');
  });

  it('signs out when the refresh is refused', async () => {
    const f = fakeFetch([
      () => json(401, { error: { code: 'SUTAZAI_ERR_AUTH_REQUIRED', message: 'no' } }),
      () => json(401, { error: { code: 'SUTAZAI_ERR_AUTH_INVALID_TOKEN', message: 'no' } }),
    ]);
    const c = new ApiClient(f.fn, () => '');
    let signedOut = false;
    c.onSignedOut = () => (signedOut = true);
    await expect(c.get('/api/v1/tasks')).rejects.toMatchObject({
      status: 401,
      code: 'SUTAZAI_ERR_AUTH_REQUIRED',
    });
    expect(signedOut).toBe(true);
    expect(c.token).toBeNull();
  });

  it('shares one refresh between concurrent callers (the refresh token rotates)', async () => {
    const f = fakeFetch([() => json(200, { access_token: 'A3', token_type: 'Bearer', expires_in: 900 })]);
    const c = new ApiClient(f.fn, () => '');
    expect(await Promise.all([c.refresh(), c.refresh()])).toEqual([true, true]);
    expect(f.calls).toHaveLength(1);
  });

  it('turns a catalogue error into an ApiError with code, field details and Retry-After', async () => {
    const f = fakeFetch([
      () =>
        json(
          503,
          {
            error: {
              code: 'SUTAZAI_ERR_LLM_UNAVAILABLE',
              message: 'backend down',
              details: [{ path: 'body.model', message: 'x' }],
            },
          },
          { 'retry-after': '7' },
        ),
    ]);
    const c = new ApiClient(f.fn, () => '');
    const err = (await c.post('/api/v1/chat', {}).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 503,
      code: 'SUTAZAI_ERR_LLM_UNAVAILABLE',
      message: 'backend down',
      retryAfter: 7,
    });
    expect(err.details[0]!.path).toBe('body.model');
  });

  it('accepts a listed non-2xx answer as the body (a 503 health report)', async () => {
    const f = fakeFetch([() => json(503, { status: 'down' })]);
    const c = new ApiClient(f.fn, () => '');
    expect(await c.get('/api/v1/health/detailed', undefined, [503])).toEqual({ status: 'down' });
  });

  it('names a non-JSON failure by its status', async () => {
    const f = fakeFetch([() => new Response('oops', { status: 502 })]);
    const c = new ApiClient(f.fn, () => '');
    await expect(c.get('/x')).rejects.toMatchObject({ status: 502, code: 'HTTP_502' });
  });
});

describe('helpers', () => {
  it('query keeps only defined, non-empty values', () => {
    expect(query({ a: 1, b: '', c: undefined, d: null, e: 'x y' })).toBe('?a=1&e=x+y');
    expect(query({})).toBe('');
  });

  it('readCookie finds a cookie by name and decodes it', () => {
    expect(readCookie('a=1; sutazai_csrf=x%20y; b=2', 'sutazai_csrf')).toBe('x y');
    expect(readCookie('a=1', 'sutazai_csrf')).toBeUndefined();
  });

  it('backoff doubles from 1 s to a 30 s cap with bounded jitter', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((n) => backoffMs(n, mid))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
    expect(backoffMs(0, () => 0)).toBe(800);
    expect(backoffMs(0, () => 1)).toBe(1200);
  });
});
