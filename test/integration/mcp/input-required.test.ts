import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING } from '../../fixtures/mcp/servers.js';
import { ACCEPT, useMcpApp, waitFor } from '../../fixtures/mcp/helpers.js';
import { startRemoteServer, type RemoteServer } from '../../fixtures/mcp/remote-server.js';

/**
 * A stdio server speaks 2025-11-25 to the gateway; its server-to-client requests during a stateless
 * 2026-07-28 request reach the client as that revision's `input_required` result, and the client's
 * retry with `inputResponses` and `requestState` answers them (issue 15; decision 0071) — through
 * /mcp/{server} and the aggregate /mcp, with the v2 SDK client and with raw JSON-RPC. A remote
 * server that speaks only 2025-11-25 gets the same; a call not retried within `mcp.inputWaitMs` is
 * cancelled upstream (the server sees its request cancelled), and its late retry gets -32602.
 */
const WAIT_MS = 1500;

interface InputRequest {
  method: string;
  params: Record<string, unknown>;
}
interface Answer {
  result?: { resultType?: string; inputRequests?: unknown; requestState?: string; content?: unknown };
  error?: { code: number; message: string };
}
const CAPABILITIES = { sampling: {}, elicitation: { form: {} }, roots: {} };

describe.each([
  ['/mcp/everything', '/mcp/remote', ''],
  ['/mcp', '/mcp', 'everything__'],
])('input_required from 2025-only servers through %s', (path, remotePath, prefix) => {
  let remote: RemoteServer;
  beforeAll(async () => {
    remote = await startRemoteServer();
  });
  afterAll(() => remote?.close()); // after the gateway's own after-hook (they run in reverse)
  const live = useMcpApp(
    () => ({
      everything: { command: process.execPath, args: [EVERYTHING] },
      remote: { url: remote.url, headers: { authorization: `Bearer ${remote.token}` } },
    }),
    { inputWaitMs: WAIT_MS },
  );
  const remoteTool = remotePath === '/mcp' ? 'remote__ask' : 'ask';
  const clients: Client[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
  });

  /** A stateless request as the revision sends it (no session; the envelope in `_meta`). */
  let nextId = 1;
  const post = async (
    method: string,
    params: Record<string, unknown>,
    capabilities: object = CAPABILITIES,
    at = path,
  ) => {
    const res = await fetch(`${live.base}${at}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: ACCEPT,
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': method,
        ...(typeof params.name === 'string' ? { 'mcp-name': params.name } : {}),
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: nextId++,
        method,
        params: {
          ...params,
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
            'io.modelcontextprotocol/clientCapabilities': capabilities,
          },
        },
      }),
    });
    const text = await res.text();
    const json = text.trimStart().startsWith('{') ? text : /^data: ?(.*)$/m.exec(text)?.[1];
    return JSON.parse(json ?? 'null') as Answer;
  };

  it('a v2 SDK client pinned to 2026-07-28 answers sampling and elicitation and gets the tool results', async () => {
    const client = new Client(
      { name: 'modern', version: '1' },
      { capabilities: CAPABILITIES, versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    client.setRequestHandler('sampling/createMessage', () => ({
      role: 'assistant',
      content: { type: 'text', text: 'sampled by the 2026 client' },
      model: 'test-model',
      stopReason: 'endTurn',
    }));
    client.setRequestHandler('elicitation/create', () => ({
      action: 'accept',
      content: { name: 'Ada', check: true, firstLine: 'Ada', email: 'ada@example.com', integer: 3 },
    }));
    client.setRequestHandler('roots/list', () => ({ roots: [{ uri: 'file:///srv', name: 'srv' }] }));
    await client.connect(new StreamableHTTPClientTransport(new URL(`${live.base}${path}`)));
    clients.push(client);
    const sampled = await client.callTool({
      name: `${prefix}trigger-sampling-request`,
      arguments: { prompt: 'hi', maxTokens: 10 },
    });
    expect(JSON.stringify(sampled.content)).toContain('sampled by the 2026 client');
    const elicited = await client.callTool({ name: `${prefix}trigger-elicitation-request`, arguments: {} });
    expect(JSON.stringify(elicited.content)).toContain('ada@example.com');
  });

  it('raw JSON-RPC: input_required, then the retry with the answer returns the result containing it', async () => {
    const name = `${prefix}trigger-sampling-request`;
    const first = await post('tools/call', { name, arguments: { prompt: 'capital?', maxTokens: 5 } });
    expect(first.result?.resultType).toBe('input_required');
    const [key, ask] = Object.entries(first.result!.inputRequests as Record<string, InputRequest>)[0]!;
    expect(ask.method).toBe('sampling/createMessage');
    expect(JSON.stringify(ask.params)).toContain('capital?');
    const answer = { role: 'assistant', content: { type: 'text', text: 'Paris' }, model: 'm' };
    const retry = await post('tools/call', {
      name,
      arguments: { prompt: 'capital?', maxTokens: 5 },
      inputResponses: { [key]: answer },
      requestState: first.result!.requestState,
    });
    expect(retry.result?.resultType).not.toBe('input_required');
    expect(JSON.stringify(retry.result?.content)).toContain('Paris');
    // State is good for one retry only, and only for the request it was given on.
    const again = await post('tools/call', {
      name,
      arguments: { prompt: 'capital?', maxTokens: 5 },
      inputResponses: { [key]: answer },
      requestState: first.result!.requestState,
    });
    expect(again.error?.code).toBe(-32602);
  });

  it('asks only for what the client declared: without sampling the upstream gets -32601', async () => {
    const res = await post(
      'tools/call',
      { name: `${prefix}trigger-sampling-request`, arguments: { prompt: 'x', maxTokens: 5 } },
      { elicitation: { form: {} } },
    );
    expect(res.result?.resultType).not.toBe('input_required');
    expect(JSON.stringify(res)).toMatch(/sampling/);
  });

  it('a remote server that speaks only 2025-11-25: input_required, retry, greeting with the answer', async () => {
    const first = await post(
      'tools/call',
      { name: remoteTool, arguments: { tag: 'answered' } },
      CAPABILITIES,
      remotePath,
    );
    expect(first.result?.resultType).toBe('input_required');
    const [key, ask] = Object.entries(first.result!.inputRequests as Record<string, InputRequest>)[0]!;
    expect(ask.method).toBe('elicitation/create');
    const retry = await post(
      'tools/call',
      {
        name: remoteTool,
        arguments: { tag: 'answered' },
        inputResponses: { [key]: { action: 'accept', content: { name: 'Grace' } } },
        requestState: first.result!.requestState,
      },
      CAPABILITIES,
      remotePath,
    );
    expect(retry.result?.content).toEqual([{ type: 'text', text: 'Hello, Grace!' }]);
  });

  it('cancels the upstream call when no retry comes in time; the late retry gets -32602', async () => {
    const tag = `expire-${prefix || 'server'}`;
    const args = { tag };
    const first = await post('tools/call', { name: remoteTool, arguments: args }, CAPABILITIES, remotePath);
    expect(first.result?.resultType).toBe('input_required');
    expect(live.gw.mcp.status().inFlight).toBe(1); // the upstream call is held open for the retry
    await waitFor(() => remote.cancelled.includes(tag), WAIT_MS * 4);
    await waitFor(() => live.gw.mcp.status().inFlight === 0);
    const [key] = Object.keys(first.result!.inputRequests as object);
    const late = await post(
      'tools/call',
      {
        name: remoteTool,
        arguments: args,
        inputResponses: { [key!]: { action: 'accept', content: { name: 'late' } } },
        requestState: first.result!.requestState,
      },
      CAPABILITIES,
      remotePath,
    );
    expect(late.error?.code).toBe(-32602);
    expect(late.error?.message).toMatch(/expired/);
  });
});
