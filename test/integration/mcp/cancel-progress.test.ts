import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/http/types.js';
import { startTestGateway, waitFor, type TestGateway } from '../../fixtures/mcp/helpers.js';
import { startRemoteServer, type RemoteServer } from '../../fixtures/mcp/remote-server.js';
import { mcpApp } from './app.js';

describe('/mcp passes cancellation and progress through to and from upstream', () => {
  let remote: RemoteServer;
  let gw: TestGateway;
  let app: App;
  let client: Client;

  beforeAll(async () => {
    remote = await startRemoteServer();
    gw = await startTestGateway(
      { remote: { url: remote.url, headers: { authorization: `Bearer ${remote.token}` } } },
      { callTimeoutMs: 20_000 },
    );
    app = await mcpApp(gw.mcp);
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    client = new Client({ name: 'test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
  });
  afterAll(async () => {
    await client?.close().catch(() => {});
    await app?.close();
    await gw?.close();
    await remote?.close();
  });

  it('forwards a downstream cancel to the upstream server and frees the in-flight slot', async () => {
    const controller = new AbortController();
    const call = client.callTool(
      { name: 'remote__slow', arguments: { ms: 15_000, steps: 1, tag: 'cancel-me' } },
      { signal: controller.signal },
    );
    call.catch(() => {});
    await waitFor(() => remote.started.includes('cancel-me'));
    expect(gw.mcp.status().inFlight).toBe(1);
    controller.abort('user gave up');
    await expect(call).rejects.toThrow();
    await waitFor(() => remote.cancelled.includes('cancel-me'));
    await waitFor(() => gw.mcp.status().inFlight === 0);
    // The session and the upstream stay usable after a cancel.
    const r = await client.callTool({ name: 'remote__echo', arguments: { text: 'still here' } });
    expect(r.content).toEqual([{ type: 'text', text: 'echo: still here' }]);
  });

  it('delivers upstream progress notifications to the downstream client', async () => {
    const seen: Array<{ progress: number; total?: number; message?: string }> = [];
    const r = await client.callTool(
      { name: 'remote__slow', arguments: { ms: 90, steps: 3, tag: 'progress' } },
      { onprogress: (p) => seen.push(p) },
    );
    expect(r.content).toEqual([{ type: 'text', text: 'slept 90' }]);
    expect(seen.map((p) => [p.progress, p.total, p.message])).toEqual([
      [1, 3, 'step 1'],
      [2, 3, 'step 2'],
      [3, 3, 'step 3'],
    ]);
    expect(remote.cancelled).not.toContain('progress');
  });
});
