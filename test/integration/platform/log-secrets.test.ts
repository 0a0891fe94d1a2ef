import { writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../src/app.js';
import { ConfigSchema } from '../../../src/config/index.js';
import { createLogger } from '../../../src/log.js';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollama-double.js';
import { EVERYTHING } from '../../fixtures/mcp/servers.js';
import { ADMIN_PASSWORD, startTestPlatform } from '../../helpers/platform.js';

/**
 * Issue 9 item 4: secrets and user data stay out of the log. The whole platform runs in process
 * with the production logger at the default level, capturing every line; a session logs in,
 * refreshes, creates an API key and uses it, chats, runs tasks (an http.check and an agent.run),
 * calls a tool of a real MCP server, and makes the database fail with values in its parameters
 * (a duplicate user, a NUL byte the database refuses in an agent's step). Then the log is
 * searched for every secret and every piece of user text: none may appear.
 */
const CHAT_TEXT = 'chat-text-4f1c9b77-do-not-log';
const TASK_TEXT = 'task-prompt-8e2a01c3-do-not-log';
const MCP_TEXT = 'mcp-argument-b93d7e55-do-not-log';
const USER_PASSWORD = 'second-user-password-6d0e2f';

let platform: Platform;
let double: OllamaDouble;
let base: string;
const lines: string[] = [];

beforeAll(async () => {
  double = await startOllamaDouble({ models: ['tinyllama:latest'] });
  const dir = mkdtempSync(path.join(tmpdir(), 'sutazai-logs-'));
  const mcpConfig = path.join(dir, 'mcp.json');
  writeFileSync(
    mcpConfig,
    JSON.stringify({ mcpServers: { everything: { command: process.execPath, args: [EVERYTHING] } } }),
  );
  const level = ConfigSchema.parse({}).logLevel;
  expect(level).toBe('info');
  const logger = createLogger(level, { write: (line: string) => void lines.push(line) });
  platform = await startTestPlatform(
    { OLLAMA_HOST: double.url, SUTAZAI_MCP_CONFIG: mcpConfig, SUTAZAI_LLM_DEFAULT_MODEL: 'tinyllama' },
    { logger },
  );
  base = await platform.listen();
}, 60_000);

afterAll(async () => {
  await platform?.close();
  await double?.close();
});

async function call(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function finished(id: string, headers: Record<string, string>): Promise<Record<string, unknown>> {
  for (let i = 0; i < 400; i++) {
    const { json } = await call('GET', `/api/v1/tasks/${id}`, headers);
    if (['completed', 'dead', 'cancelled'].includes(json.status as string)) return json;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`task ${id} did not finish`);
}

describe('the log at the default level', () => {
  it('holds no password, token, API key, key hash, chat text, task text or tool argument', async () => {
    const secrets: Record<string, string> = {
      'admin password': ADMIN_PASSWORD,
      'user password': USER_PASSWORD,
    };

    const login = await call(
      'POST',
      '/api/v1/auth/login',
      {},
      { username: 'admin', password: ADMIN_PASSWORD },
    );
    expect(login.status).toBe(200);
    secrets['first access token'] = login.json.access_token as string;
    secrets['first refresh token'] = login.json.refresh_token as string;
    const refreshed = await call(
      'POST',
      '/api/v1/auth/refresh',
      {},
      { refresh_token: login.json.refresh_token },
    );
    expect(refreshed.status).toBe(200);
    secrets['access token'] = refreshed.json.access_token as string;
    secrets['refresh token'] = refreshed.json.refresh_token as string;
    const bearer = { authorization: `Bearer ${secrets['access token']}` };

    const key = await call('POST', '/api/v1/auth/api-keys', bearer, { name: 'ci', role: 'admin' });
    expect(key.status).toBe(201);
    secrets['API key'] = key.json.key as string;
    const { rows } = await platform.db.query<{ key_hash: string }>('SELECT key_hash FROM api_keys');
    secrets['key hash'] = rows[0]!.key_hash;
    const viaKey = { 'x-api-key': secrets['API key'] };
    expect((await call('GET', '/api/v1/auth/me', viaKey)).status).toBe(200);
    // A bad credential in a header: refused, and not logged either.
    expect((await call('GET', '/api/v1/tasks', { 'x-api-key': `${secrets['API key']}x` })).status).toBe(401);

    // The database refuses a duplicate username: an error whose parameters hold the password hash.
    const user = { username: 'second', password: USER_PASSWORD, role: 'user' };
    expect((await call('POST', '/api/v1/users', viaKey, user)).status).toBe(201);
    const duplicate = await call('POST', '/api/v1/users', viaKey, user);
    expect(duplicate.status).toBeGreaterThanOrEqual(400);
    const hash = await platform.db.query<{ password_hash: string }>(
      "SELECT password_hash FROM users WHERE username = 'second'",
    );
    secrets['password hash'] = hash.rows[0]!.password_hash;

    const chat = await call('POST', '/api/v1/chat', viaKey, { message: CHAT_TEXT, model: 'tinyllama' });
    expect(chat.status).toBe(200);
    expect(JSON.stringify(chat.json)).toContain(CHAT_TEXT);
    secrets['chat text'] = CHAT_TEXT;

    const check = await call('POST', '/api/v1/tasks', bearer, {
      type: 'http.check',
      payload: { url: `${double.url}/api/version` },
    });
    expect(check.status).toBe(202);
    expect(await finished(check.json.id as string, bearer)).toMatchObject({ status: 'completed' });

    // The model answers with a NUL byte: journaling the step fails in the database, with the
    // task's text among the statement's parameters, and the worker logs the failure.
    double.script([{ content: `${TASK_TEXT}\u0000` }]);
    await call('POST', '/api/v1/agents', viaKey, {
      name: 'scribe',
      system_prompt: 'Write.',
      model: 'tinyllama',
    });
    const run = await call('POST', '/api/v1/tasks', viaKey, {
      type: 'agent.run',
      agent: 'scribe',
      payload: { prompt: TASK_TEXT },
      max_attempts: 1,
    });
    expect(run.status).toBe(202);
    expect(await finished(run.json.id as string, bearer)).toMatchObject({ status: 'dead' });
    secrets['task text'] = TASK_TEXT;

    const tool = await call('POST', '/api/v1/mcp/servers/everything/tools/echo/call', viaKey, {
      arguments: { message: MCP_TEXT },
    });
    expect(tool.status).toBe(200);
    expect(JSON.stringify(tool.json)).toContain(MCP_TEXT);
    secrets['tool argument'] = MCP_TEXT;

    await platform.close();
    const log = lines.join('');
    // The run was logged (requests, the failed task with its database error), not silenced.
    expect(log).toContain('"msg":"request completed"');
    expect(log).toMatch(/"err":\{[^\n]*"msg":"task:run:failed"/);
    for (const [what, secret] of Object.entries(secrets)) {
      expect(secret.length, what).toBeGreaterThan(8);
      expect(log.includes(secret), `${what} appears in the log`).toBe(false);
    }
  }, 120_000);
});
