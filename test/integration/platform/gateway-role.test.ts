import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../src/app.js';
import { loadConfig, redactConfig } from '../../../src/config/index.js';
import { createLogger } from '../../../src/log.js';
import { SutazaiError } from '../../../src/errors.js';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollama-double.js';
import { EVERYTHING } from '../../fixtures/mcp/servers.js';
import { adminHeaders, startTestPlatform } from '../../helpers/platform.js';

/**
 * Decision 0066: a process with mcp.gatewayUrl runs no MCP server; its agents reach the gateway
 * role's tools over HTTP with the internal credential, which opens nothing else. When the gateway
 * is gone, health says so and agent tasks wait with a stable code instead of hanging.
 */
const TOKEN = 'gateway-role-test-internal-credential-0123456789';
let gateway: Platform | undefined;
let client: Platform;
let double: OllamaDouble;
let gatewayUrl: string;
let base: string;
let headers: Record<string, string>;
/** Every log line of both processes, at debug level: the credential must be in none. */
const lines: string[] = [];
const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sutazai-gw-'));
  const mcpConfig = path.join(dir, 'mcp.json');
  writeFileSync(
    mcpConfig,
    JSON.stringify({ mcpServers: { everything: { command: process.execPath, args: [EVERYTHING] } } }),
  );
  gateway = await startTestPlatform(
    { SUTAZAI_MCP_CONFIG: mcpConfig, SUTAZAI_MCP_GATEWAY_TOKEN: TOKEN },
    { role: 'gateway', logger },
  );
  gatewayUrl = await gateway.listen();
  double = await startOllamaDouble({ models: ['tinyllama:latest'] });
  client = await startTestPlatform(
    {
      SUTAZAI_MCP_GATEWAY_URL: gatewayUrl,
      SUTAZAI_MCP_GATEWAY_TOKEN: TOKEN,
      OLLAMA_HOST: double.url,
      SUTAZAI_LLM_DEFAULT_MODEL: 'tinyllama',
    },
    { logger },
    (config) => {
      config.queue.backoffBaseMs = 100;
      config.worker.pollIntervalMs = 50;
    },
  );
  base = await client.listen();
  headers = { ...(await adminHeaders(base)), 'content-type': 'application/json' };
  const agent = await fetch(`${base}/api/v1/agents`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      name: 'echoer',
      system_prompt: 'Echo the task with the echo tool.',
      model: 'tinyllama',
      tools: ['everything__echo'],
    }),
  });
  expect(agent.status).toBe(201);
  const clock = await fetch(`${base}/api/v1/agents`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      name: 'clock',
      system_prompt: 'Tell the time.',
      model: 'tinyllama',
      tools: ['time.now'],
    }),
  });
  expect(clock.status).toBe(201);
}, 240_000);

afterAll(async () => {
  await client?.close();
  await gateway?.close();
  await double?.close();
});

async function submit(prompt: string, agent = 'echoer'): Promise<string> {
  const post = await fetch(`${base}/api/v1/tasks`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ type: 'agent.run', agent, payload: { prompt } }),
  });
  expect(post.status).toBe(202);
  return ((await post.json()) as { id: string }).id;
}

type TaskView = {
  status: string;
  attempts: number;
  error: string | null;
  result: { answer?: string } | null;
};

async function until(id: string, ok: (t: TaskView) => boolean): Promise<TaskView> {
  let task: TaskView | undefined;
  for (let i = 0; i < 600; i++) {
    task = (await (await fetch(`${base}/api/v1/tasks/${id}`, { headers })).json()) as TaskView;
    if (ok(task)) return task;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`task ${id} never got there: ${JSON.stringify(task)}`);
}

async function gatewayCheck(): Promise<{ status: string; error: string | null } | undefined> {
  const res = await fetch(`${base}/api/v1/health/detailed`);
  const body = (await res.json()) as {
    checks: Array<{ name: string; status: string; error: string | null }>;
  };
  return body.checks.find((c) => c.name === 'mcp-gateway');
}

describe('api and worker processes reach MCP tools through the gateway role', () => {
  it('an agent task calls server-everything’s echo through the gateway; the client runs no MCP server', async () => {
    double.script([
      { tool_calls: [{ name: 'everything__echo', arguments: { message: 'via the gateway' } }] },
      (body) => ({ content: `tool said: ${body.messages.find((m) => m.role === 'tool')?.content ?? '?'}` }),
    ]);
    const task = await until(await submit('echo something'), (t) => t.status === 'completed');
    expect(task.result?.answer).toBe('tool said: Echo: via the gateway');
    // The client process has no MCP servers of its own to show: they live in the gateway.
    expect((await fetch(`${base}/api/v1/mcp/servers`, { headers })).status).toBe(404);
    expect(await gatewayCheck()).toMatchObject({ status: 'up' });
  });

  it('the internal credential opens the tool routes and nothing else; nothing else opens them', async () => {
    const tools = `${gatewayUrl}/internal/v1/mcp/tools`;
    const ok = await fetch(tools, { headers: { 'x-sutazai-gateway-token': TOKEN } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { tools: Array<{ name: string }> }).tools.map((t) => t.name)).toContain(
      'everything__echo',
    );
    const wrong = await fetch(tools, { headers: { 'x-sutazai-gateway-token': `${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'SUTAZAI_ERR_MCP_GATEWAY_CREDENTIAL' } });
    // An admin's own token is no internal credential…
    const admin = await adminHeaders(gatewayUrl);
    expect((await fetch(tools, { headers: admin })).status).toBe(401);
    // …and the internal credential is no user credential.
    const asBearer = await fetch(`${gatewayUrl}/api/v1/mcp/servers`, {
      headers: { authorization: `Bearer ${TOKEN}`, 'x-sutazai-gateway-token': TOKEN },
    });
    expect(asBearer.status).toBe(401);
    expect((await fetch(`${gatewayUrl}/api/v1/mcp/servers`, { headers: admin })).status).toBe(200);
  });

  it('with the gateway gone, health reports it down and agent tasks wait with a stable code', async () => {
    await gateway!.close();
    gateway = undefined;
    const id = await submit('echo while the gateway is down');
    const task = await until(id, (t) => t.error !== null);
    expect(task.error).toContain('SUTAZAI_ERR_MCP_GATEWAY_UNAVAILABLE');
    // Deferred, not failed: the attempt is refunded each time (decision 0018), so it never dies of it.
    await new Promise((r) => setTimeout(r, 1000));
    const later = await until(id, () => true);
    expect(['pending', 'running']).toContain(later.status);
    expect(later.attempts).toBeLessThanOrEqual(1);
    for (let i = 0; i < 100 && (await gatewayCheck())?.status !== 'down'; i++)
      await new Promise((r) => setTimeout(r, 200));
    expect(await gatewayCheck()).toMatchObject({
      status: 'down',
      error: expect.stringContaining(gatewayUrl),
    });
  }, 60_000);
});

describe('gateway role configuration', () => {
  it('never logs the internal credential, and `config print` redacts it', () => {
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.includes(TOKEN))).toEqual([]);
    const { config } = loadConfig({ env: { SUTAZAI_MCP_GATEWAY_TOKEN: TOKEN }, cwd: tmpdir() });
    expect(JSON.stringify(redactConfig(config))).not.toContain(TOKEN);
  });

  it('refuses mcp.gatewayUrl without the internal credential, naming the key', () => {
    expect(() =>
      loadConfig({ env: { SUTAZAI_MCP_GATEWAY_URL: 'http://127.0.0.1:10011' }, cwd: tmpdir() }),
    ).toThrow(/mcp\.gatewayToken/);
  });

  it('refuses to start the gateway role without the credential', async () => {
    const err = await startTestPlatform({}, { role: 'gateway' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SutazaiError);
    expect((err as SutazaiError).code).toBe('SUTAZAI_ERR_CONFIG_INVALID');
    expect((err as SutazaiError).message).toContain('mcp.gatewayToken');
  });
});
