import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RELAYED_LISTEN_STREAMS } from '../../../src/mcp/aggregate/modern-passthrough.js';
import { ACCEPT, useMcpApp, waitFor } from '../../fixtures/mcp/helpers.js';
import { startModernRemoteServer, type ModernRemoteServer } from '../../fixtures/mcp/modern-remote-server.js';

/**
 * A 2026-07-28 request to /mcp/{server} whose remote server speaks that revision goes to it as it
 * came (decision 0064): the server's `input_required` result reaches the client, the client's retry
 * with the answer reaches the server, and the client's credentials for the gateway never do.
 */
describe('2026-07-28 requests relayed to a remote server that speaks that revision', () => {
  let upstream: ModernRemoteServer;
  beforeAll(async () => {
    upstream = await startModernRemoteServer();
  });
  afterAll(() => upstream?.close()); // after the gateway's own after-hook (they run in reverse)
  const live = useMcpApp(() => ({
    modern: { url: upstream.url, headers: { authorization: 'Bearer for-the-upstream' } },
  }));

  it('passes the input_required round trip through, with the server’s headers and not the client’s', async () => {
    const client = new Client(
      { name: 'modern', version: '1' },
      { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    const asked: unknown[] = [];
    client.setRequestHandler('elicitation/create', (req) => {
      asked.push(req.params);
      return { action: 'accept', content: { name: 'Ada' } };
    });
    const transport = new StreamableHTTPClientTransport(new URL(`${live.base}/mcp/modern`), {
      requestInit: { headers: { authorization: 'Bearer for-the-gateway' } },
    });
    await client.connect(transport);
    try {
      const res = await client.callTool({ name: 'greet', arguments: {} });
      expect(res.content).toEqual([{ type: 'text', text: 'Hello, Ada!' }]);
      expect(JSON.stringify(asked)).toContain('What is your name?');
      const calls = upstream.seen.filter((s) => s.method === 'tools/call');
      expect(calls.map((c) => c.answered)).toEqual([false, true]);
      expect(upstream.seen.every((s) => s.authorization === 'Bearer for-the-upstream')).toBe(true);
    } finally {
      await client.close();
    }
  });

  /** Opens a `subscriptions/listen` stream through the gateway; the caller aborts it to close it. */
  const listen = async (abort: AbortController) => {
    const res = await fetch(`${live.base}/mcp/modern`, {
      method: 'POST',
      signal: abort.signal,
      headers: {
        'content-type': 'application/json',
        accept: ACCEPT,
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'subscriptions/listen',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'subscriptions/listen',
        params: {
          notifications: { toolsListChanged: true },
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientInfo': { name: 'listener', version: '1' },
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      }),
    });
    return res;
  };

  it('relays at most 64 listen streams: the 65th gets -32005 with Retry-After, closing one frees a slot', async () => {
    const streams = Array.from({ length: MAX_RELAYED_LISTEN_STREAMS }, () => new AbortController());
    try {
      const opened = await Promise.all(streams.map((a) => listen(a)));
      expect(opened.map((r) => r.status)).toEqual(opened.map(() => 200));
      expect(opened[0]!.headers.get('content-type')).toContain('text/event-stream');
      const refused = await listen(new AbortController());
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      const body = (await refused.json()) as { id: unknown; error: { code: number; message: string } };
      expect(body.id).toBe(1);
      expect(body.error.code).toBe(-32005);
      expect(body.error.message).toMatch(/too many relayed listen streams/);
      streams.pop()!.abort();
      const next = new AbortController();
      streams.push(next);
      await waitFor(async () => {
        const res = await listen(next);
        if (res.status === 200) return true;
        await res.body?.cancel();
        return false;
      });
    } finally {
      for (const a of streams) a.abort();
    }
  });
});
