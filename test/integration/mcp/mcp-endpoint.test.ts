import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/http/types.js';
import { EVERYTHING, MEMORY, badServer } from '../../fixtures/mcp/servers.js';
import { startTestGateway, type TestGateway } from '../../fixtures/mcp/helpers.js';
import { mcpApp } from './app.js';

describe('/mcp aggregated Streamable HTTP endpoint', () => {
  let gw: TestGateway;
  let app: App;
  let base: string;
  const clients: Client[] = [];

  async function connect(pathname = '/mcp'): Promise<Client> {
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(base + pathname)));
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    gw = await startTestGateway({
      everything: { command: process.execPath, args: [EVERYTHING] },
      memory: {
        command: process.execPath,
        args: [MEMORY],
        env: { MEMORY_FILE_PATH: '/tmp/sutazai-mcp-endpoint-memory.jsonl' },
      },
      [`a-very-long-server-name-that-needs-shortening-${'x'.repeat(10)}`]: badServer(''),
    });
    app = await mcpApp(gw.mcp);
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await app?.close();
    await gw?.close();
  });

  it('serves every server tools under valid, collision-free, deterministic names', async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    for (const n of names) expect(n).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('everything__echo');
    expect(names).toContain('memory__read_graph');
    const long = names.filter((n) => n.startsWith('a-very-long'));
    expect(long.length).toBe(6);
    const again = (await (await connect()).listTools()).tools.map((t) => t.name);
    expect(again).toEqual(names);
    const res = await client.callTool({
      name: long.find((n) => n.includes('echo'))!,
      arguments: { text: 'short' },
    });
    expect(res.content).toEqual([{ type: 'text', text: 'echo: short' }]);
  });

  it('calls tools from several concurrent sessions', async () => {
    const sessions = await Promise.all([1, 2, 3, 4, 5].map(() => connect()));
    const results = await Promise.all(
      sessions.map((c, i) => c.callTool({ name: 'everything__echo', arguments: { message: `s${i}` } })),
    );
    results.forEach((r, i) => expect(JSON.stringify(r.content)).toContain(`s${i}`));
    expect(gw.mcp.sessions.size).toBeGreaterThanOrEqual(5);
  });

  it('returns upstream tool errors as isError results and unknown tools as errors', async () => {
    const client = await connect();
    const long = (await client.listTools()).tools.find(
      (t) => t.name.startsWith('a-very-long') && t.name.includes('fail'),
    )!;
    const r = await client.callTool({ name: long.name, arguments: {} });
    expect(r.isError).toBe(true);
    await expect(client.callTool({ name: 'nope__tool', arguments: {} })).rejects.toThrow(
      /no MCP server "nope"/,
    );
  });

  it('passes resources and prompts through', async () => {
    const client = await connect();
    const { resources } = await client.listResources();
    expect(resources.length).toBeGreaterThan(0);
    const read = await client.readResource({ uri: resources[0]!.uri });
    expect(read.contents.length).toBeGreaterThan(0);
    const { prompts } = await client.listPrompts();
    const simple = prompts.find((p) => p.name === 'everything__simple-prompt');
    expect(simple).toBeDefined();
    const got = await client.getPrompt({ name: simple!.name });
    expect(got.messages.length).toBeGreaterThan(0);
  });

  it('aggregates upstream resource templates under server-prefixed names', async () => {
    const client = await connect();
    const { resourceTemplates } = await client.listResourceTemplates();
    const text = resourceTemplates.find((t) => t.uriTemplate === 'demo://resource/dynamic/text/{resourceId}');
    expect(text).toBeDefined();
    expect(text!.name.startsWith('everything__')).toBe(true);
    const scoped = await connect('/mcp/everything');
    const own = (await scoped.listResourceTemplates()).resourceTemplates;
    expect(own.map((t) => t.uriTemplate)).toContain('demo://resource/dynamic/text/{resourceId}');
    expect(own.every((t) => !t.name.includes('__'))).toBe(true);
  });

  it('reads a resource in a session that never listed resources, by list or by template', async () => {
    const lister = await connect();
    const listed = (await lister.listResources()).resources[0]!.uri;
    const fresh = await connect();
    const byList = await fresh.readResource({ uri: listed });
    expect(byList.contents[0]!.uri).toBe(listed);
    const fresh2 = await connect();
    const byTemplate = await fresh2.readResource({ uri: 'demo://resource/dynamic/text/7' });
    expect(byTemplate.contents[0]!.uri).toBe('demo://resource/dynamic/text/7');
    expect(JSON.stringify(byTemplate.contents[0])).toContain('7');
    await expect(fresh2.readResource({ uri: 'nowhere://x' })).rejects.toThrow(/not found/);
  });

  it('serves one server alone at /mcp/{server} under its own names', async () => {
    const client = await connect('/mcp/memory');
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('read_graph');
    expect(names.every((n) => !n.includes('__'))).toBe(true);
    const r = await client.callTool({ name: 'read_graph', arguments: {} });
    expect(r.isError).not.toBe(true);
  });

  it('answers 404 for an unknown session id', async () => {
    const res = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': 'nope',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(res.status).toBe(404);
  });
});
