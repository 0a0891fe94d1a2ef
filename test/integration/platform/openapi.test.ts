import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../src/app.js';
import { metricsAccess, metricsRoutes } from '../../../src/http/routes/metrics.js';
import { buildTestApp } from '../../helpers/http.js';
import { startTestPlatform } from '../../helpers/platform.js';
import { collectRoutes, type CollectedRoute } from '../../helpers/routes.js';

interface Operation {
  summary?: string;
  tags?: string[];
  security?: unknown[];
}

let platform: Platform;
let routes: CollectedRoute[];

beforeAll(async () => {
  const collector = collectRoutes();
  routes = collector.routes;
  platform = await startTestPlatform({}, { firstRoutes: [collector.hook] });
});
afterAll(async () => platform?.close());

/** `/api/v1/tasks/{id}` → `/api/v1/tasks/:id`, the route table's spelling. */
const templateOf = (path: string) => path.replace(/\{([^}]+)\}/g, ':$1');

describe('the OpenAPI document (GET /docs/json)', () => {
  it('gives every operation a summary and tags, and marks exactly the public routes public', async () => {
    const res = await platform.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { paths: Record<string, Record<string, Operation>>; security: unknown[] };
    expect(doc.security.length).toBeGreaterThan(0); // credentials are the default
    let operations = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        operations++;
        const where = `${method.toUpperCase()} ${path}`;
        expect(op.summary?.trim(), `${where} summary`).toBeTruthy();
        expect(op.tags?.length, `${where} tags`).toBeGreaterThan(0);
        const route = routes.find((r) => r.url === templateOf(path) && r.method === method.toUpperCase());
        expect(route, where).toBeDefined();
        if (route!.access === 'public') expect(op.security, `${where} is public`).toEqual([]);
        else expect(op.security, `${where} needs credentials`).toBeUndefined();
      }
    }
    expect(operations).toBeGreaterThan(40);
    expect(doc.paths['/api/v1/auth/login']!.post!.security).toEqual([]);
    expect(doc.paths['/health']!.get!.security).toEqual([]);
  });
});

describe('GET /api/v1/mcp/servers/{name}', () => {
  it('answers 404 with the catalogue code for a server that is not declared', async () => {
    const login = await platform.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: 'platform-test-admin-password' },
    });
    const auth = { authorization: `Bearer ${login.json().access_token}` };
    const res = await platform.app.inject({
      method: 'GET',
      url: '/api/v1/mcp/servers/nosuch',
      headers: auth,
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('SUTAZAI_ERR_MCP_SERVER_NOT_FOUND');
  });
});

describe('/metrics access', () => {
  it('is public on a loopback bind (the default)', async () => {
    const res = await platform.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
  });

  it('needs credentials on any other bind unless configured public', async () => {
    expect(metricsAccess('auto', '127.0.0.1')).toBe('public');
    expect(metricsAccess('auto', '::1')).toBe('public');
    expect(metricsAccess('auto', '0.0.0.0')).toBe('user');
    expect(metricsAccess('auto', '192.168.1.10')).toBe('user');
    expect(metricsAccess('public', '0.0.0.0')).toBe('public');
    expect(metricsAccess('user', '127.0.0.1')).toBe('user');
    const app = await buildTestApp(
      [metricsRoutes({ samplers: [], access: metricsAccess('auto', '0.0.0.0') })],
      {
        authenticator: {
          authenticate: async (req) => (req.headers['x-api-key'] === 'k' ? principal : undefined),
        },
      },
    );
    try {
      expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      expect(
        (await app.inject({ method: 'GET', url: '/metrics', headers: { 'x-api-key': 'k' } })).statusCode,
      ).toBe(200);
    } finally {
      await app.close();
    }
  });
});

const principal = { kind: 'api_key' as const, id: 'k1', name: 'prometheus', role: 'user' as const };
