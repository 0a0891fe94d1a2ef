import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, type Platform } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { collectRoutes, sampleUrl, type CollectedRoute } from '../../helpers/routes.js';

// The whole platform's route table, so a route added later cannot forget its credentials check.
let platform: Platform;
let routes: CollectedRoute[];

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sutazai-routes-'));
  const { config } = loadConfig({
    env: {
      SUTAZAI_DATA_DIR: dir,
      SUTAZAI_ADMIN_PASSWORD: 'route-table-test-password',
      SUTAZAI_MCP_CONFIG: path.join(dir, 'none.json'),
    },
    cwd: dir,
  });
  const collector = collectRoutes();
  routes = collector.routes;
  platform = await createPlatform({
    config,
    logger: pino({ level: 'silent' }),
    inMemoryDb: true,
    firstRoutes: [collector.hook],
  });
});
afterAll(async () => platform?.close());

describe('every route of the platform', () => {
  it('has a route table that includes each area', () => {
    const urls = routes.map((r) => r.url);
    for (const prefix of [
      '/api/v1/agents',
      '/api/v1/auth',
      '/api/v1/mcp',
      '/api/v1/health',
      '/api/v1/doctor',
    ]) {
      expect(
        urls.some((u) => u.startsWith(prefix)),
        prefix,
      ).toBe(true);
    }
  });

  it('refuses every protected route without credentials', async () => {
    const protectedRoutes = routes.filter((r) => r.access !== 'public');
    expect(protectedRoutes.length).toBeGreaterThan(10);
    for (const route of protectedRoutes) {
      const res = await platform.app.inject({ method: route.method as 'GET', url: sampleUrl(route.url) });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
      expect(res.json().error.code).toBe('SUTAZAI_ERR_AUTH_REQUIRED');
    }
  });

  it('keeps public only what must be: health, login/refresh/logout, the first-run hint, metrics, docs', () => {
    const publicApi = routes
      .filter((r) => r.access === 'public' && r.url.startsWith('/api/'))
      .map((r) => `${r.method} ${r.url}`);
    for (const entry of publicApi)
      expect(entry).toMatch(/\/api\/v1\/(health|auth\/(login|refresh|logout|first-run))/);
  });
});
