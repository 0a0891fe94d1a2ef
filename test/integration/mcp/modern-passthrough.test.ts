import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useMcpApp } from '../../fixtures/mcp/helpers.js';
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
});
