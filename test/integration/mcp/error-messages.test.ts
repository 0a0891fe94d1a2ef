import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/http/types.js';
import { badServer, EVERYTHING } from '../../fixtures/mcp/servers.js';
import { ACCEPT, INIT, startTestGateway, type TestGateway } from '../../fixtures/mcp/helpers.js';
import { mcpApp } from './app.js';

interface Answer {
  result?: { isError?: boolean; content?: Array<{ text: string }> };
  error?: { code: number; message: string; data?: Record<string, unknown> };
}

/** Errors on /mcp that a person understands, with the codes docs/mcp.md lists (issue 15, item 8). */
describe('/mcp error messages', () => {
  let gw: TestGateway;
  let app: App;
  let base: string;

  beforeAll(async () => {
    gw = await startTestGateway({
      fx: badServer(''),
      everything: { command: process.execPath, args: [EVERYTHING] },
    });
    app = await mcpApp(gw.mcp);
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
    await gw?.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers },
      body: JSON.stringify(body),
    });
  async function session(path: string): Promise<Record<string, string>> {
    const res = await post(path, INIT);
    await res.json();
    const headers = {
      'mcp-session-id': res.headers.get('mcp-session-id')!,
      'mcp-protocol-version': '2025-11-25',
    };
    await post(path, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
    return headers;
  }
  const request = async (path: string, headers: Record<string, string>, method: string, params: unknown) =>
    (await (await post(path, { jsonrpc: '2.0', id: 1, method, params }, headers)).json()) as Answer;

  it('says how tools on /mcp are named when a name has no server prefix or an unknown one', async () => {
    const h = await session('/mcp');
    const bare = await request('/mcp', h, 'tools/call', { name: 'echo', arguments: {} });
    expect(bare.error?.code).toBe(-32602);
    expect(bare.error?.message).toContain('tools on /mcp are named server__tool');
    expect(bare.error?.message).toContain('servers: everything, fx');
    expect(bare.error?.message).not.toMatch(/MCP server {2}is not declared/);
    const unknown = await request('/mcp', h, 'tools/call', { name: 'nope__echo', arguments: {} });
    expect(unknown.error?.code).toBe(-32602);
    expect(unknown.error?.message).toContain('no MCP server "nope"');
    const prompt = await request('/mcp', h, 'prompts/get', { name: 'simple-prompt' });
    expect(prompt.error?.message).toContain('prompts on /mcp are named server__prompt');
  });

  it('lists the names a server has when its tool does not exist', async () => {
    const h = await session('/mcp');
    await request('/mcp', h, 'tools/list', {});
    const missing = await request('/mcp', h, 'tools/call', { name: 'fx__nope', arguments: {} });
    expect(missing.error?.code).toBe(-32602);
    expect(missing.error?.message).toContain('fx__echo');
  });

  it('relays upstream errors without doubled "MCP error" prefixes, on both endpoints', async () => {
    for (const path of ['/mcp', '/mcp/everything']) {
      const h = await session(path);
      const res = await request(path, h, 'resources/read', {
        uri: 'demo://resource/static/document/nope.md',
      });
      expect(res.error?.code, path).toBe(-32602);
      expect(res.error?.message, path).not.toMatch(/^MCP error/);
      expect(res.error?.message, path).toMatch(/not found/i);
    }
  });

  it('answers -32602 with the uri for a resource no server has, as docs/mcp.md says', async () => {
    const h = await session('/mcp');
    const res = await request('/mcp', h, 'resources/read', { uri: 'nowhere://x' });
    expect(res.error?.code).toBe(-32602);
    expect(res.error?.data).toEqual({ uri: 'nowhere://x' });
  });
});
