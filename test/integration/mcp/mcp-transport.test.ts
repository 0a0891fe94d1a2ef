import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { badServer } from '../../fixtures/mcp/servers.js';
import { ACCEPT, INIT, startTestGateway, useMcpApp, waitFor } from '../../fixtures/mcp/helpers.js';
import { mcpApp } from './app.js';

/** /mcp on the wire, with plain fetch: what a client that is not the SDK sees. */
describe('/mcp Streamable HTTP transport', () => {
  const live = useMcpApp({ fx: badServer('') });

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${live.base}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers },
      body: JSON.stringify(body),
    });

  async function session(): Promise<Record<string, string>> {
    const res = await post(INIT);
    expect(res.status).toBe(200);
    const headers = {
      'mcp-session-id': res.headers.get('mcp-session-id')!,
      'mcp-protocol-version': '2025-11-25',
    };
    await res.json();
    expect((await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, headers)).status).toBe(202);
    return headers;
  }

  const call = (id: number, name: string, args: unknown, meta?: unknown) => ({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) },
  });

  it('answers a call with plain JSON when nothing but its result has to be sent', async () => {
    const headers = await session();
    const res = await post(call(1, 'fx__echo', { text: 'hi' }), headers);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: { content: [{ type: 'text', text: 'echo: hi' }] },
    });
  });

  it('switches to an event stream when progress comes before the result', async () => {
    const headers = await session();
    const res = await post(call(2, 'fx__sleep', { ms: 40 }, { progressToken: 'p1' }), headers);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = (await res.text())
      .split('\n\n')
      .filter((e) => e.startsWith('event: message'))
      .map((e) => JSON.parse(e.split('data: ')[1]!) as { method?: string; id?: number });
    expect(events.map((e) => e.method ?? `result ${e.id}`)).toEqual([
      'notifications/progress',
      'notifications/progress',
      'notifications/progress',
      'notifications/progress',
      'result 2',
    ]);
  });

  it('answers a batch of requests with an array of their results', async () => {
    const headers = await session();
    const res = await post([call(3, 'fx__echo', { text: 'a' }), call(4, 'fx__echo', { text: 'b' })], headers);
    const body = (await res.json()) as Array<{ id: number; result: { content: Array<{ text: string }> } }>;
    expect(body.map((r) => [r.id, r.result.content[0]!.text]).sort()).toEqual([
      [3, 'echo: a'],
      [4, 'echo: b'],
    ]);
  });

  it('refuses malformed requests with JSON-RPC errors and the HTTP status the spec gives', async () => {
    const headers = await session();
    const cases: Array<[Response, number, number]> = [
      [await post(call(5, 'fx__echo', {}), { ...headers, accept: 'application/json' }), 406, -32000],
      [await post({ jsonrpc: '1.0', id: 6, method: 'ping' }, headers), 400, -32600],
      [await post([], headers), 400, -32600],
      [await post(INIT, headers), 400, -32600],
      [await post({ jsonrpc: '2.0', id: 7, method: 'ping' }), 400, -32000],
      [
        await post(
          { jsonrpc: '2.0', id: 8, method: 'ping' },
          { ...headers, 'mcp-protocol-version': '1999-01-01' },
        ),
        400,
        -32000,
      ],
    ];
    for (const [res, status, code] of cases) {
      expect(res.status).toBe(status);
      const body = (await res.json()) as { error: { code: number; message: string } };
      expect(body.error.code).toBe(code);
      expect(body.error.message.length).toBeGreaterThan(5);
    }
    // The session is still usable after all of that.
    expect((await post({ jsonrpc: '2.0', id: 9, method: 'ping' }, headers)).status).toBe(200);
  });

  it('allows one standalone event stream per session and ends the session on DELETE', async () => {
    const headers = await session();
    const controller = new AbortController();
    const stream = await fetch(`${live.base}/mcp`, {
      headers: { ...headers, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    const second = await fetch(`${live.base}/mcp`, { headers: { ...headers, accept: 'text/event-stream' } });
    expect(second.status).toBe(409);
    await second.body?.cancel();
    const del = await fetch(`${live.base}/mcp`, { method: 'DELETE', headers });
    expect(del.status).toBe(200);
    await stream.text(); // the stream ends with the session
    expect((await post({ jsonrpc: '2.0', id: 10, method: 'ping' }, headers)).status).toBe(404);
    controller.abort();
  });

  it('closes the HTTP server promptly while SDK clients hold event streams open', async () => {
    const gw2 = await startTestGateway({ fx: badServer('') });
    const app2 = await mcpApp(gw2.mcp);
    const url = await app2.listen({ port: 0, host: '127.0.0.1' });
    const clients = await Promise.all(
      [1, 2, 3].map(async () => {
        const c = new Client({ name: 'held', version: '1' });
        await c.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
        await c.callTool({ name: 'fx__echo', arguments: { text: 'x' } });
        return c;
      }),
    );
    await waitFor(() => gw2.mcp.sessions.size === 3);
    // Without closing the sessions first, app.close() waits for these streams forever.
    await app2.close();
    expect(gw2.mcp.sessions.size).toBe(0);
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await gw2.close();
  }, 10_000);
});
