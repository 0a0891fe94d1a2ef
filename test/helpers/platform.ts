import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createPlatform, type Platform, type PlatformOptions } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/index.js';

export const ADMIN_PASSWORD = 'platform-test-admin-password';

/** The whole platform on in-memory PGlite, auth on, no MCP servers, plus env overrides. */
export async function startTestPlatform(
  env: Record<string, string> = {},
  extra: Partial<PlatformOptions> = {},
  /** Changes to the loaded config that have no environment variable (e.g. short breaker times). */
  configure: (config: Config) => void = () => undefined,
): Promise<Platform> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sutazai-platform-'));
  const { config } = loadConfig({
    env: {
      SUTAZAI_DATA_DIR: dir,
      SUTAZAI_PORT: '0',
      SUTAZAI_ADMIN_PASSWORD: ADMIN_PASSWORD,
      SUTAZAI_MCP_CONFIG: path.join(dir, 'no-mcp.json'),
      SUTAZAI_AGENTS_DIR: path.join(dir, 'agents'),
      ...env,
    },
    cwd: dir,
  });
  configure(config);
  return createPlatform({ config, logger: pino({ level: 'silent' }), inMemoryDb: true, ...extra });
}

/** Logs in as the admin through `app.inject` (no socket) and returns an Authorization header. */
export async function injectAdminHeaders(platform: Platform): Promise<Record<string, string>> {
  const res = await platform.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'admin', password: ADMIN_PASSWORD },
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return { authorization: `Bearer ${res.json<{ access_token: string }>().access_token}` };
}

/** Logs in as the admin and returns an Authorization header. */
export async function adminHeaders(baseUrl: string): Promise<Record<string, string>> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { access_token: string };
  return { authorization: `Bearer ${body.access_token}` };
}
