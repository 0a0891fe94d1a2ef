import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, type Platform } from '../../../src/app.js';
import { localCredentialPath } from '../../../src/auth/index.js';
import { loadConfig } from '../../../src/config/index.js';

// The local credential opens only what the doctor reads, only from loopback.
const dir = mkdtempSync(path.join(tmpdir(), 'sutazai-local-cred-'));
let platform: Platform;
let token: string;

beforeAll(async () => {
  const { config } = loadConfig({
    env: {
      SUTAZAI_DATA_DIR: dir,
      SUTAZAI_ADMIN_PASSWORD: 'local-credential-password',
      SUTAZAI_MCP_CONFIG: path.join(dir, 'none.json'),
      SUTAZAI_WORKER: 'false',
    },
    cwd: dir,
  });
  platform = await createPlatform({ config, logger: pino({ level: 'silent' }), inMemoryDb: true });
  token = readFileSync(localCredentialPath(dir), 'utf8').trim();
});
afterAll(async () => platform?.close());

const get = (url: string, remoteAddress = '127.0.0.1') =>
  platform.app.inject({ method: 'GET', url, remoteAddress, headers: { authorization: `Bearer ${token}` } });

describe('the local credential', () => {
  it('reads the MCP server list from loopback', async () => {
    expect((await get('/api/v1/mcp/servers')).statusCode).toBe(200);
    expect((await get('/api/v1/mcp/servers', '::1')).statusCode).toBe(200);
  });

  it('is refused from any other address', async () => {
    const res = await get('/api/v1/mcp/servers', '10.1.2.3');
    expect([res.statusCode, res.json().error.code]).toEqual([401, 'SUTAZAI_ERR_AUTH_INVALID_TOKEN']);
  });

  it('opens no other route', async () => {
    for (const url of ['/api/v1/tasks', '/api/v1/mcp/status', '/api/v1/auth/me', '/api/v1/doctor/report'])
      expect((await get(url)).statusCode, url).toBe(401);
    const post = await platform.app.inject({
      method: 'POST',
      url: '/api/v1/auth/api-keys',
      headers: { authorization: `Bearer ${token}` },
      payload: { name: 'x' },
    });
    expect(post.statusCode).toBe(401);
  });

  it('is rotated at each start and removed at close', async () => {
    expect(token).toMatch(/^lc_sutazai_[A-Za-z0-9_-]{43}$/);
    const { config } = loadConfig({
      env: {
        SUTAZAI_DATA_DIR: dir,
        SUTAZAI_MCP_CONFIG: path.join(dir, 'none.json'),
        SUTAZAI_WORKER: 'false',
      },
      cwd: dir,
    });
    const second = await createPlatform({ config, logger: pino({ level: 'silent' }), inMemoryDb: true });
    const rotated = readFileSync(localCredentialPath(dir), 'utf8').trim();
    expect(rotated).not.toBe(token);
    await second.close();
    expect(() => readFileSync(localCredentialPath(dir))).toThrow(/ENOENT/);
  });
});

describe('the server-side doctor report', () => {
  it('reads the platform source in process, with no credential', async () => {
    const login = await platform.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: 'local-credential-password' },
    });
    const access = login.json<{ access_token: string }>().access_token;
    const res = await platform.app.inject({
      method: 'GET',
      url: '/api/v1/doctor/report',
      headers: { authorization: `Bearer ${access}` },
    });
    expect(res.statusCode).toBe(200);
    const sources = res.json<{ sources: Array<{ name: string; status: string }> }>().sources;
    expect(sources.find((s) => s.name === 'platform')).toMatchObject({ status: 'ok' });
  });
});
