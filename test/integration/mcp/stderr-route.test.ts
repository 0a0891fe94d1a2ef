import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildHttpApp } from '../../../src/http/app.js';
import { MemoryRateLimiter } from '../../../src/http/rate-limit.js';
import { mcpRoutes } from '../../../src/http/routes/mcp.js';
import type { App, Principal } from '../../../src/http/types.js';
import { badServer } from '../../fixtures/mcp/servers.js';
import { quietLogger, startTestGateway, type TestGateway } from '../../fixtures/mcp/helpers.js';

/** The caller's role comes from a test header: the route's own access rule is what is tested. */
const principal = (role: 'admin' | 'user'): Principal => ({ kind: 'user', id: role, name: role, role });

describe('GET /api/v1/mcp/servers/{name}/stderr', () => {
  let gw: TestGateway;
  let app: App;
  beforeAll(async () => {
    gw = await startTestGateway({ fixture: badServer('') });
    app = await buildHttpApp(
      {
        logger: quietLogger,
        bodyLimitBytes: 1 << 20,
        requestTimeoutMs: 30_000,
        authEnabled: true,
        authenticator: {
          authenticate: async (req) =>
            req.headers['x-test-role'] === 'admin' ? principal('admin') : principal('user'),
        },
        rateLimiter: new MemoryRateLimiter(),
        rateRules: {
          login: { max: 10, windowSeconds: 60 },
          expensive: { max: 1000, windowSeconds: 60 },
        },
      },
      [mcpRoutes({ mcp: gw.mcp })],
    );
  });
  afterAll(async () => {
    await app?.close();
    await gw?.close();
  });

  it("answers an admin the server's stderr lines, oldest first", async () => {
    const call = await app.inject({
      method: 'POST',
      url: '/api/v1/mcp/servers/fixture/tools/flood/call',
      headers: { 'x-test-role': 'admin' },
      payload: { arguments: { n: 3 } },
    });
    expect(call.statusCode).toBe(200);
    // stderr is its own pipe: its lines may land after the tool's answer on stdout.
    await vi.waitFor(
      async () => {
        const res = await app.inject({
          url: '/api/v1/mcp/servers/fixture/stderr',
          headers: { 'x-test-role': 'admin' },
        });
        expect(res.statusCode).toBe(200);
        expect(res.json<{ lines: string[] }>().lines.slice(-3)).toEqual(['flood 0', 'flood 1', 'flood 2']);
      },
      { timeout: 10_000, interval: 50 },
    );
  });

  it('refuses a user (403) and answers 404 for an undeclared server', async () => {
    const user = await app.inject({ url: '/api/v1/mcp/servers/fixture/stderr' });
    expect(user.statusCode).toBe(403);
    expect(user.json().error.code).toBe('SUTAZAI_ERR_AUTH_FORBIDDEN');
    const missing = await app.inject({
      url: '/api/v1/mcp/servers/nope/stderr',
      headers: { 'x-test-role': 'admin' },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('SUTAZAI_ERR_MCP_SERVER_NOT_FOUND');
  });
});
