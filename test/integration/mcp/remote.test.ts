import { createServer } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/http/types.js';
import { startTestGateway, waitFor, type TestGateway } from '../../fixtures/mcp/helpers.js';
import { startRemoteServer, type RemoteServer } from '../../fixtures/mcp/remote-server.js';
import { mcpApp } from './app.js';

/** A port nothing listens on: bind one, then release it. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('remote (Streamable HTTP) upstream servers', () => {
  let remote: RemoteServer;
  let gw: TestGateway;
  let app: App;
  let base: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    remote = await startRemoteServer();
    gw = await startTestGateway(
      {
        remote: { url: remote.url, headers: { authorization: `Bearer ${remote.token}` } },
        noauth: { url: remote.url },
        down: { url: `http://127.0.0.1:${await closedPort()}/mcp` },
      },
      { callTimeoutMs: 3000, startTimeoutMs: 3000 },
    );
    app = await mcpApp(gw.mcp);
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await app?.close();
    await gw?.close();
    await remote?.close();
  });

  it('lists and calls remote tools over REST, sending the declared headers', async () => {
    const tools = await app.inject({ method: 'GET', url: '/api/v1/mcp/servers/remote/tools' });
    expect(tools.statusCode).toBe(200);
    expect(tools.json().tools.map((t: { name: string }) => t.name)).toEqual(['echo', 'ask', 'slow']);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/mcp/servers/remote/tools/echo/call',
      payload: { arguments: { text: 'over http' } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().content).toEqual([{ type: 'text', text: 'echo: over http' }]);
    expect(remote.authSeen.length).toBeGreaterThan(0);
    expect(new Set(remote.authSeen)).toEqual(new Set([`Bearer ${remote.token}`]));
    const status = gw.mcp.servers().find((s) => s.name === 'remote')!;
    expect(status.state).toBe('ready');
    expect(status.pids).toEqual([]);
  });

  it('serves remote tools through /mcp', async () => {
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    clients.push(client);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['remote__echo', 'remote__slow']));
    const r = await client.callTool({ name: 'remote__echo', arguments: { text: 'aggregated' } });
    expect(r.content).toEqual([{ type: 'text', text: 'echo: aggregated' }]);
  });

  it('reads a remote templated resource through /mcp without listing first', async () => {
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    clients.push(client);
    const read = await client.readResource({ uri: 'remote://items/42' });
    expect(read.contents).toEqual([
      { uri: 'remote://items/42', mimeType: 'text/plain', text: 'content of remote://items/42' },
    ]);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates).toContainEqual(
      expect.objectContaining({ name: 'remote__item', uriTemplate: 'remote://items/{id}' }),
    );
  });

  it('re-initializes when the remote restarted and forgot the session', async () => {
    await app.inject({ method: 'POST', url: '/api/v1/mcp/servers/remote/tools/echo/call', payload: {} });
    const before = remote.initializes.count;
    await remote.restart();
    expect(remote.sessions.size).toBe(0);
    // Several calls fail on the forgotten session at once: they share one re-initialize.
    const texts = ['a', 'b', 'c', 'd', 'e'];
    const results = await Promise.all(
      texts.map((text) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/mcp/servers/remote/tools/echo/call',
          payload: { arguments: { text } },
        }),
      ),
    );
    results.forEach((res, i) => {
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().content[0].text).toBe(`echo: ${texts[i]}`);
    });
    expect(remote.initializes.count).toBe(before + 1);
    expect(remote.sessions.size).toBe(1);
  });

  it('rejects a remote that refuses our credentials with a clear 503, not a hang', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/mcp/servers/noauth/tools' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    const server = gw.mcp.servers().find((s) => s.name === 'noauth')!;
    expect(server.lastError).toMatch(/401|Unauthorized/i);
  });

  it('answers 503 with Retry-After for a remote that is down, and says why', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/mcp/servers/down/tools/echo/call',
      payload: {},
    });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('SUTAZAI_ERR_MCP_CRASHLOOP');
    expect(res.headers['retry-after']).toBeDefined();
    expect(gw.mcp.servers().find((s) => s.name === 'down')!.state).toBe('crashloop');
  });

  it('answers 503 when a ready remote goes down mid-life, and recovers when it comes back', async () => {
    await app.inject({ method: 'POST', url: '/api/v1/mcp/servers/remote/tools/echo/call', payload: {} });
    await remote.stop();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/mcp/servers/remote/tools/echo/call',
      payload: { arguments: { text: 'x' } },
    });
    expect(res.statusCode, res.body).toBe(503);
    expect(res.json().error.code).toMatch(/SUTAZAI_ERR_MCP_(UNAVAILABLE|CRASHLOOP)/);
    await remote.restart();
    await waitFor(async () => {
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/mcp/servers/remote/tools/echo/call',
        payload: { arguments: { text: 'back' } },
      });
      return r.statusCode === 200 && r.json().content[0].text === 'echo: back';
    });
  });
});
