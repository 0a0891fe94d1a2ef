import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../src/app.js';
import { DASHBOARD_CSP, resolveInside } from '../../../src/http/static.js';
import { startTestPlatform } from '../../helpers/platform.js';

// The platform serves the built dashboard from `/` (src/http/static.ts), here from a stand-in
// web/dist so the test does not depend on a build.
const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/app-1a2b3c.js"></script></head><body></body></html>';

function fakeDist(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sutazai-web-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), INDEX);
  writeFileSync(path.join(dir, 'assets', 'app-1a2b3c.js'), 'console.log("app")');
  writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  // A secret next to the dist folder: traversal must never reach it.
  writeFileSync(path.join(dir, '..', `secret-${path.basename(dir)}.txt`), 'top secret');
  return dir;
}

describe('the dashboard served from /', () => {
  let platform: Platform;
  let dir: string;
  beforeAll(async () => {
    dir = fakeDist();
    platform = await startTestPlatform({}, { webDir: dir });
  });
  afterAll(async () => platform?.close());

  it('answers / with index.html, no-cache and the strict CSP', async () => {
    const res = await platform.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).not.toContain('unsafe-inline');
    expect(res.body).toBe(INDEX);
  });

  it('serves hashed assets as immutable with their content type', async () => {
    const res = await platform.app.inject({ method: 'GET', url: '/assets/app-1a2b3c.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.body).toBe('console.log("app")');
  });

  it('serves other files revalidated, not immutable', async () => {
    const res = await platform.app.inject({ method: 'GET', url: '/favicon.svg' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/svg+xml');
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('falls back to index.html for page paths the app routes itself', async () => {
    for (const url of ['/tasks', '/tasks/0b6c1f1e-1111-4aaa-8bbb-123456789abc', '/settings?tab=keys']) {
      const res = await platform.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toBe(INDEX);
      expect(res.headers['content-security-policy'], url).toBe(DASHBOARD_CSP);
    }
  });

  it('keeps unknown paths under the server prefixes JSON 404s', async () => {
    for (const url of ['/api/v1/nope', '/api/nope', '/metrics/x', '/health/x', '/ready/x', '/docs/nope/x']) {
      const res = await platform.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toMatch(/^application\/json/);
      expect(res.json().error.code, url).toBe('SUTAZAI_ERR_HTTP_NOT_FOUND');
    }
    const post = await platform.app.inject({ method: 'POST', url: '/tasks' });
    expect(post.statusCode).toBe(404);
    expect(post.json().error.code).toBe('SUTAZAI_ERR_HTTP_NOT_FOUND');
  });

  it('answers a missing asset with 404, not with index.html', async () => {
    for (const url of ['/assets/gone-000.js', '/missing.css']) {
      const res = await platform.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code, url).toBe('SUTAZAI_ERR_HTTP_NOT_FOUND');
    }
  });

  it('refuses paths that climb out of the dist folder', async () => {
    const secret = `secret-${path.basename(dir)}.txt`;
    for (const url of [
      `/../${secret}`,
      `/%2e%2e/${secret}`,
      `/assets/..%2f..%2f${secret}`,
      `/%2e%2e%2f${secret}`,
      `/..%5c${secret}`,
      '/%00',
      '/%E0%A4%A',
    ]) {
      const res = await platform.app.inject({ method: 'GET', url });
      expect(res.body, url).not.toContain('top secret');
      expect([400, 404], url).toContain(res.statusCode);
    }
  });

  it('unit: resolveInside keeps every answer inside the folder', () => {
    expect(resolveInside('/srv/web', '/assets/a.js')).toBe('/srv/web/assets/a.js');
    expect(resolveInside('/srv/web', '/../etc/passwd')).toBeUndefined();
    expect(resolveInside('/srv/web', '/a/%2e%2e/%2e%2e/etc')).toBeUndefined();
    expect(resolveInside('/srv/web', '/%zz')).toBeUndefined();
  });
});

describe('the dashboard when web/dist was not built', () => {
  let platform: Platform;
  beforeAll(async () => {
    platform = await startTestPlatform({}, { webDir: path.join(tmpdir(), 'sutazai-no-such-web-dist') });
  });
  afterAll(async () => platform?.close());

  it('answers / with a page that says so and how to build it, never a 404', async () => {
    for (const url of ['/', '/tasks']) {
      const res = await platform.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(503);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
      expect(res.body).toContain('dashboard is not built');
      expect(res.body).toContain('npm run build');
    }
    const api = await platform.app.inject({ method: 'GET', url: '/api/v1/nope' });
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe('SUTAZAI_ERR_HTTP_NOT_FOUND');
  });
});
