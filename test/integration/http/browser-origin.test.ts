import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../src/app.js';
import { startTestPlatform } from '../../helpers/platform.js';

// What a DNS-rebinding page sends: a foreign name that now resolves to 127.0.0.1.
const REBOUND = { host: 'evil.example:10010', origin: 'http://evil.example:10010' };
const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('browser-origin safety with auth off (the loopback mode)', () => {
  let platform: Platform;
  beforeAll(async () => {
    platform = await startTestPlatform({ SUTAZAI_AUTH: 'false' });
  });
  afterAll(async () => platform?.close());

  const createKey = (headers: Record<string, string>) =>
    platform.app.inject({
      method: 'POST',
      url: '/api/v1/auth/api-keys',
      headers: { 'content-type': 'application/json', ...headers },
      payload: { name: 'rebinding', role: 'admin' },
    });

  it('refuses a foreign Host with 421 before anything runs, and creates no key', async () => {
    const res = await createKey(REBOUND);
    expect(res.statusCode).toBe(421);
    expect(res.json().error.code).toBe('SUTAZAI_ERR_HTTP_HOST_NOT_ALLOWED');
    const keys = await platform.app.inject({ method: 'GET', url: '/api/v1/auth/api-keys' });
    expect(keys.json().keys ?? keys.json()).toHaveLength(0);
  });

  it('refuses a foreign Origin with 403 even when the Host is ours', async () => {
    const res = await createKey({ host: '127.0.0.1:10010', origin: 'http://evil.example' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('SUTAZAI_ERR_HTTP_ORIGIN_NOT_ALLOWED');
  });

  it('refuses a page on another localhost port and an opaque ("null") origin', async () => {
    for (const origin of ['http://localhost:3000', 'null', 'file://']) {
      const res = await createKey({ host: 'localhost:10010', origin });
      expect(res.statusCode, origin).toBe(403);
    }
  });

  it('serves a same-origin page and clients that send no Origin', async () => {
    expect((await createKey({ host: 'localhost:10010', origin: 'http://localhost:10010' })).statusCode).toBe(
      201,
    );
    expect((await createKey({ host: '[::1]:10010' })).statusCode).toBe(201);
    expect((await createKey({ host: '127.0.0.1' })).statusCode).toBe(201);
  });

  it('applies to unknown routes, public routes and /docs too', async () => {
    for (const url of ['/health', '/nothing-here', '/docs/json', '/metrics']) {
      const res = await platform.app.inject({ method: 'GET', url, headers: REBOUND });
      expect(res.statusCode, url).toBe(421);
    }
  });

  it('guards /mcp the same way', async () => {
    const post = (headers: Record<string, string>) =>
      platform.app.inject({
        method: 'POST',
        url: '/mcp',
        headers: { ...MCP_HEADERS, ...headers },
        payload: INIT,
      });
    const foreignHost = await post(REBOUND);
    expect(foreignHost.statusCode).toBe(421);
    expect(foreignHost.json().error.code).toBe('SUTAZAI_ERR_HTTP_HOST_NOT_ALLOWED');
    const foreignOrigin = await post({ host: 'localhost:10010', origin: 'http://evil.example' });
    expect(foreignOrigin.statusCode).toBe(403);
    const ours = await post({ host: 'localhost:10010', origin: 'http://localhost:10010' });
    expect(ours.statusCode).toBe(200);
  });
});

describe('configured public names', () => {
  let platform: Platform;
  beforeAll(async () => {
    platform = await startTestPlatform({ SUTAZAI_ALLOWED_HOSTS: 'sutazai.example.org, other.example' });
  });
  afterAll(async () => platform?.close());

  it('answers a Host and an Origin named in http.allowedHosts, and still refuses others', async () => {
    const ok = await platform.app.inject({
      method: 'GET',
      url: '/health',
      headers: { host: 'Sutazai.Example.org', origin: 'https://sutazai.example.org' },
    });
    expect(ok.statusCode).toBe(200);
    const other = await platform.app.inject({ method: 'GET', url: '/health', headers: REBOUND });
    expect(other.statusCode).toBe(421);
  });

  it('checks Host before credentials: a foreign Host never learns whether auth is on', async () => {
    const res = await platform.app.inject({ method: 'GET', url: '/api/v1/tasks', headers: REBOUND });
    expect(res.statusCode).toBe(421);
  });
});
