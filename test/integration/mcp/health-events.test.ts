import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthRegistry } from '../../../src/health/index.js';
import { buildHttpApp } from '../../../src/http/app.js';
import { MemoryRateLimiter } from '../../../src/http/rate-limit.js';
import { healthRoutes } from '../../../src/http/routes/health.js';
import { mcpRoutes } from '../../../src/http/routes/mcp.js';
import type { App } from '../../../src/http/types.js';
import { badServer } from '../../fixtures/mcp/servers.js';
import { quietLogger, startTestGateway, waitFor, type TestGateway } from '../../fixtures/mcp/helpers.js';

interface Check {
  name: string;
  status: string;
  error: string | null;
  detail?: { state?: string; restarts?: number; lastError?: string | null };
}

/** Health tells the truth at once: a child's exit shows on every health view within 1 s. */
describe('MCP health follows a child exit at once', () => {
  let gw: TestGateway;
  let app: App;

  beforeAll(async () => {
    // A long back-off: the server must still be down when we look, not restarted already.
    gw = await startTestGateway({ fx: badServer('') }, { backoffBaseMs: 30_000, backoffMaxMs: 60_000 });
    // The production interval (5 s): without the event, a cached "up" would be served for 5 s.
    const health = new HealthRegistry({ intervalMs: 5000, timeoutMs: 2000 });
    health.addSource(gw.mcp.probeSource);
    app = await buildHttpApp(
      {
        logger: quietLogger,
        bodyLimitBytes: 1024 * 1024,
        requestTimeoutMs: 30_000,
        authEnabled: false,
        authenticator: { authenticate: async () => undefined },
        rateLimiter: new MemoryRateLimiter(),
        rateRules: { login: { max: 10, windowSeconds: 60 }, expensive: { max: 1000, windowSeconds: 60 } },
      },
      [mcpRoutes({ mcp: gw.mcp }), healthRoutes({ health, version: 'test', startedAt: Date.now() })],
    );
  });
  afterAll(async () => {
    await app?.close();
    await gw?.close();
  });

  const get = async <T>(url: string) => (await app.inject({ method: 'GET', url })).json() as T;
  const detailed = () => get<{ checks: Check[] }>('/api/v1/health/detailed');

  it('shows a killed server down with state, restarts and last error on all three views within 1 s', async () => {
    await gw.mcp.gateway.callTool('fx', 'echo', { text: 'up' });
    expect((await detailed()).checks.find((c) => c.name === 'mcp:fx')?.status).toBe('up'); // now cached
    const pid = gw.mcp.servers()[0]!.pids[0]!;
    process.kill(pid, 'SIGKILL');

    // Polled for at most 1 s: the 5 s health interval or the reconcile loop would not make it.
    await waitFor(
      async () => {
        const servers = await get<{ servers: Array<{ state: string; restarts: number; lastError: string }> }>(
          '/api/v1/mcp/servers',
        );
        const mcpHealth = await get<{
          healthy: boolean;
          servers: Array<{ state: string; restarts: number; lastError: string | null }>;
        }>('/api/v1/mcp/health');
        const check = (await detailed()).checks.find((c) => c.name === 'mcp:fx');
        return (
          servers.servers[0]?.state === 'crashloop' &&
          !mcpHealth.healthy &&
          mcpHealth.servers[0]?.state === 'crashloop' &&
          check?.status === 'down'
        );
      },
      1000,
      20,
    );

    const check = (await detailed()).checks.find((c) => c.name === 'mcp:fx')!;
    expect(check.detail).toMatchObject({ state: 'crashloop', restarts: 1 });
    expect(check.detail?.lastError).toContain('exited unexpectedly');
    expect(check.error).toContain('exited unexpectedly');
    const entry = (await get<{ servers: Array<Record<string, unknown>> }>('/api/v1/mcp/health')).servers[0]!;
    expect(entry).toMatchObject({ state: 'crashloop', restarts: 1, healthy: false });
    expect(String(entry.lastError)).toContain('exited unexpectedly');
    expect(entry.retryAt).not.toBeNull();
  });
});
