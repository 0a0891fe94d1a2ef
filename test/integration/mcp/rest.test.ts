import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/http/types.js';
import { registry } from '../../../src/metrics/index.js';
import { EVERYTHING, MEMORY, badServer } from '../../fixtures/mcp/servers.js';
import { startTestGateway, waitFor, type TestGateway } from '../../fixtures/mcp/helpers.js';
import { mcpApp } from './app.js';

describe('MCP REST routes over real servers', () => {
  let gw: TestGateway;
  let app: App;

  beforeAll(async () => {
    gw = await startTestGateway({
      everything: { command: process.execPath, args: [EVERYTHING] },
      memory: {
        command: process.execPath,
        args: [MEMORY],
        env: { MEMORY_FILE_PATH: '/tmp/sutazai-mcp-test-memory.jsonl' },
      },
      fixture: { ...badServer(''), denyTools: ['flood'] },
      off: { command: process.execPath, args: [MEMORY], enabled: false },
      'bad entry': { command: 'x' },
      broken: { args: ['no command'] },
    });
    app = await mcpApp(gw.mcp);
  });
  afterAll(async () => {
    await app?.close();
    await gw?.close();
  });

  it('lists declared servers lazily stopped, skipping bad entries with their path', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/mcp/servers' });
    expect(res.statusCode).toBe(200);
    const servers = res.json().servers as Array<{ name: string; state: string }>;
    expect(servers.map((s) => s.name)).toEqual(['everything', 'fixture', 'memory', 'off']);
    expect(servers.find((s) => s.name === 'off')!.state).toBe('disabled');
    expect(servers.find((s) => s.name === 'memory')!.state).toBe('stopped');
    const status = (await app.inject({ method: 'GET', url: '/api/v1/mcp/status' })).json();
    expect(status.problems.map((p: { path: string }) => p.path)).toEqual(
      expect.arrayContaining(['mcpServers.bad entry', expect.stringMatching(/^mcpServers\.broken/)]),
    );
  });

  it('starts a server on first use and calls its tool', async () => {
    const tools = await app.inject({ method: 'GET', url: '/api/v1/mcp/servers/everything/tools' });
    expect(tools.statusCode).toBe(200);
    expect(tools.json().tools.map((t: { name: string }) => t.name)).toContain('echo');
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/mcp/servers/everything/tools/echo/call',
      payload: { arguments: { message: 'hi' } },
    });
    expect(res.statusCode).toBe(200);
    expect(JSON.stringify(res.json().content)).toContain('hi');
    const servers = (await app.inject({ method: 'GET', url: '/api/v1/mcp/servers' })).json().servers;
    const everything = servers.find((s: { name: string }) => s.name === 'everything');
    expect(everything.state).toBe('ready');
    expect(everything.pids).toHaveLength(1);
  });

  it('passes generic JSON-RPC through execute, and refuses methods outside the list', async () => {
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/mcp/execute',
      payload: {
        server: 'memory',
        method: 'tools/call',
        params: { name: 'read_graph', arguments: {} },
        timeout: 5000,
      },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().result.content[0].type).toBe('text');
    const ping = await app.inject({
      method: 'POST',
      url: '/api/v1/mcp/execute',
      payload: { server: 'memory', method: 'ping' },
    });
    expect(ping.statusCode).toBe(200);
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/mcp/execute',
      payload: { server: 'memory', method: 'sampling/createMessage', params: {} },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('SUTAZAI_ERR_MCP_METHOD_NOT_ALLOWED');
  });

  it('maps errors to catalogue codes: unknown server, disabled, denied tool; tool errors stay results', async () => {
    const unknown = await app.inject({ method: 'GET', url: '/api/v1/mcp/servers/nope/tools' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('SUTAZAI_ERR_MCP_SERVER_NOT_FOUND');
    const off = await app.inject({ method: 'GET', url: '/api/v1/mcp/servers/off/tools' });
    expect(off.json().error.code).toBe('SUTAZAI_ERR_MCP_SERVER_DISABLED');
    const denied = await app.inject({
      method: 'POST',
      url: '/api/v1/mcp/servers/fixture/tools/flood/call',
      payload: {},
    });
    expect(denied.statusCode).toBe(404);
    const listed = await app.inject({ method: 'GET', url: '/api/v1/mcp/servers/fixture/tools' });
    expect(listed.json().tools.map((t: { name: string }) => t.name)).not.toContain('flood');
    const failed = await app.inject({
      method: 'POST',
      url: '/api/v1/mcp/servers/fixture/tools/fail/call',
      payload: {},
    });
    expect(failed.statusCode).toBe(200);
    expect(failed.json().isError).toBe(true);
    const badBody = await app.inject({
      method: 'POST',
      url: '/api/v1/mcp/servers/fixture/tools/echo/call',
      payload: { x: 1 },
    });
    expect(badBody.statusCode).toBe(400);
  });

  it('restarts a server on request with a new process', async () => {
    await app.inject({ method: 'POST', url: '/api/v1/mcp/servers/fixture/tools/echo/call', payload: {} });
    const before = gw.mcp.servers().find((s) => s.name === 'fixture')!;
    const res = await app.inject({ method: 'POST', url: '/api/v1/mcp/servers/fixture/restart' });
    expect(res.statusCode).toBe(202);
    await app.inject({ method: 'POST', url: '/api/v1/mcp/servers/fixture/tools/echo/call', payload: {} });
    const after = gw.mcp.servers().find((s) => s.name === 'fixture')!;
    expect(after.pids[0]).not.toBe(before.pids[0]);
    expect(after.restarts).toBe(before.restarts + 1);
  });

  it('reports health from pings within the probe interval', async () => {
    await waitFor(async () => {
      const h = (await app.inject({ method: 'GET', url: '/api/v1/mcp/health' })).json();
      return h.servers.find((s: { name: string; healthy: boolean }) => s.name === 'everything')?.healthy;
    });
    const h = (await app.inject({ method: 'GET', url: '/api/v1/mcp/health' })).json();
    expect(h.servers.find((s: { name: string }) => s.name === 'off')).toBeUndefined();
  });
  it('labels made-up tool names and methods as other in the call metrics', async () => {
    await app.inject({ method: 'GET', url: '/api/v1/mcp/servers/everything/tools' });
    const series = async () =>
      (await registry.metrics()).split('\n').filter((l) => l.startsWith('sutazai_mcp_call_duration'));
    await app.inject({
      method: 'POST',
      url: '/api/v1/mcp/servers/everything/tools/nope-0/call',
      payload: { arguments: {} },
    });
    await app.inject({
      method: 'POST',
      url: '/api/v1/mcp/execute',
      payload: { server: 'everything', method: 'x/made-up-0' },
    });
    const before = await series();
    for (let i = 1; i <= 50; i++) {
      await app.inject({
        method: 'POST',
        url: `/api/v1/mcp/servers/everything/tools/nope-${i}/call`,
        payload: { arguments: {} },
      });
      await app.inject({
        method: 'POST',
        url: '/api/v1/mcp/execute',
        payload: { server: 'everything', method: `x/made-up-${i}` },
      });
    }
    const after = await series();
    expect(after.length).toBe(before.length);
    expect(after.join('\n')).not.toMatch(/nope-|made-up-/);
    expect(after.join('\n')).toMatch(/tool="echo"/);
  });
});
