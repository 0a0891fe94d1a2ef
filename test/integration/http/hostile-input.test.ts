import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../src/app.js';
import { JSON_LIMITS } from '../../../src/safe-input.js';
import { ADMIN_PASSWORD, startTestPlatform } from '../../helpers/platform.js';

let platform: Platform;
let auth: Record<string, string>;

beforeAll(async () => {
  platform = await startTestPlatform({ SUTAZAI_WORKER: 'false' });
  const login = await platform.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'admin', password: ADMIN_PASSWORD },
  });
  auth = { authorization: `Bearer ${login.json().access_token}` };
});
afterAll(async () => platform?.close());

const json = (method: 'POST' | 'PATCH', url: string, payload: string, headers: Record<string, string> = {}) =>
  platform.app.inject({
    method,
    url,
    payload,
    headers: { 'content-type': 'application/json', ...auth, ...headers },
  });

function expect400(
  res: { statusCode: number; json(): { error: { code: string; details?: unknown } } },
  code: string,
  path?: string,
) {
  expect(res.statusCode).toBe(400);
  expect(res.json().error.code).toBe(code);
  if (path) expect(res.json().error.details).toEqual([expect.objectContaining({ path })]);
}

describe('hostile input gets 400, never 500', () => {
  it('refuses NUL and lone surrogates in a JSON body, on a public route too, naming the field', async () => {
    const nul = await platform.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"username":"ad\\u0000min","password":"x"}',
    });
    expect400(nul, 'SUTAZAI_ERR_HTTP_INVALID_STRING', 'body.username');
    const surrogate = await json(
      'POST',
      '/api/v1/tasks',
      '{"type":"http.check","payload":{"url":"\\ud800"}}',
    );
    expect400(surrogate, 'SUTAZAI_ERR_HTTP_INVALID_STRING', 'body.payload.url');
    const inKey = await json('POST', '/api/v1/tasks', '{"type":"x","payload":{"a\\u0000":1}}');
    expect400(inKey, 'SUTAZAI_ERR_HTTP_INVALID_STRING', 'body.payload.a\u0000');
    const paired = await json(
      'POST',
      '/api/v1/tasks',
      '{"type":"no.such.type","payload":{"emoji":"\\ud83d\\ude00"}}',
    );
    expect(paired.json().error.code).not.toBe('SUTAZAI_ERR_HTTP_INVALID_STRING');
  });

  it('refuses them in the query, the path and headers, before authentication', async () => {
    const query = await platform.app.inject({ method: 'GET', url: '/api/v1/tasks?type=%00', headers: auth });
    expect400(query, 'SUTAZAI_ERR_HTTP_INVALID_STRING', 'query.type');
    const path = await platform.app.inject({
      method: 'GET',
      url: '/api/v1/mcp/servers/a%00b',
      headers: auth,
    });
    expect400(path, 'SUTAZAI_ERR_HTTP_INVALID_STRING', 'params.name');
    const header = await platform.app.inject({
      method: 'GET',
      url: '/api/v1/tasks',
      headers: { 'x-api-key': 'sk_\u0000' },
    });
    expect400(header, 'SUTAZAI_ERR_HTTP_INVALID_STRING', 'headers.x-api-key');
  });

  it(`refuses JSON nested deeper than ${JSON_LIMITS.maxDepth} levels, even 100,000 deep`, async () => {
    const nest = (n: number) => `{"type":"x","payload":{"a":${'['.repeat(n)}${']'.repeat(n)}}}`;
    expect400(await json('POST', '/api/v1/tasks', nest(100_000)), 'SUTAZAI_ERR_HTTP_JSON_TOO_DEEP');
    expect400(
      await json('POST', '/api/v1/tasks', nest(JSON_LIMITS.maxDepth)),
      'SUTAZAI_ERR_HTTP_JSON_TOO_DEEP',
    );
    const atLimit = await json('POST', '/api/v1/tasks', nest(JSON_LIMITS.maxDepth - 2));
    expect(atLimit.json().error?.code).not.toBe('SUTAZAI_ERR_HTTP_JSON_TOO_DEEP');
  });

  it(`refuses more than ${JSON_LIMITS.maxKeys} object keys`, async () => {
    const keys = Array.from({ length: JSON_LIMITS.maxKeys + 1 }, (_, i) => `"k${i}":1`).join(',');
    expect400(
      await json('POST', '/api/v1/tasks', `{"type":"x","payload":{${keys}}}`),
      'SUTAZAI_ERR_HTTP_JSON_TOO_MANY_KEYS',
    );
  });

  it('refuses prototype keys and non-JSON bodies', async () => {
    const proto = await json('POST', '/api/v1/tasks', '{"type":"x","payload":{"__proto__":{"admin":true}}}');
    expect400(proto, 'SUTAZAI_ERR_HTTP_BAD_REQUEST');
    const text = await platform.app.inject({
      method: 'POST',
      url: '/api/v1/tasks',
      payload: 'hello',
      headers: { ...auth, 'content-type': 'text/plain' },
    });
    expect(text.statusCode).toBe(415);
  });

  it('guards /mcp the same way, answering in JSON-RPC shape with the code and path as data', async () => {
    const headers = { accept: 'application/json, text/event-stream' };
    const expectRpc400 = (res: Awaited<ReturnType<typeof json>>, code: string, path?: string) => {
      expect(res.statusCode).toBe(400);
      const body = res.json<{
        jsonrpc: string;
        error: { code: number; data: { code: string; details?: unknown } };
      }>();
      expect(body.jsonrpc).toBe('2.0');
      expect(body.error.code).toBe(-32600);
      expect(body.error.data.code).toBe(code);
      if (path) expect(body.error.data.details).toEqual([expect.objectContaining({ path })]);
    };
    const nul = await json('POST', '/mcp', '{"jsonrpc":"2.0","id":1,"method":"ping\\u0000"}', headers);
    expectRpc400(nul, 'SUTAZAI_ERR_HTTP_INVALID_STRING', 'body.method');
    const deep = await json(
      'POST',
      '/mcp',
      `{"jsonrpc":"2.0","id":1,"method":"x","params":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      headers,
    );
    expectRpc400(deep, 'SUTAZAI_ERR_HTTP_JSON_TOO_DEEP');
  });
});
