import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/http/types.js';
import { EVERYTHING } from '../../fixtures/mcp/servers.js';
import { ACCEPT, startTestGateway, type TestGateway } from '../../fixtures/mcp/helpers.js';
import { mcpApp } from './app.js';

/**
 * Protocol revision 2026-07-28 without sessions (issue 15, item 6): a v2 SDK client pinned to that
 * revision lists and calls tools through /mcp/{server} and /mcp with no session, while a 2025-era
 * request without a session still gets 400 (initialize first).
 */
describe.each([
  ['/mcp/everything', ''],
  ['/mcp', 'everything__'],
])('stateless 2026-07-28 requests on %s', (path, prefix) => {
  let gw: TestGateway;
  let app: App;
  let base: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({ everything: { command: process.execPath, args: [EVERYTHING] } });
    app = await mcpApp(gw.mcp);
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await app?.close();
    await gw?.close();
  });

  it('serves tools/list and tools/call to a client pinned to 2026-07-28, without a session', async () => {
    const client = new Client(
      { name: 'modern', version: '1' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    const transport = new StreamableHTTPClientTransport(new URL(`${base}${path}`));
    await client.connect(transport);
    clients.push(client);
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect(transport.sessionId).toBeUndefined();
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain(`${prefix}echo`);
    const res = await client.callTool({ name: `${prefix}echo`, arguments: { message: 'no session' } });
    expect(JSON.stringify(res.content)).toContain('no session');
  });

  it('still answers a 2025-era request without a session with 400', async () => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: ACCEPT },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32000);
  });
});
