import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpFetchToolSchema } from '../../../src/config/schema.js';
import { createBuiltinTools } from '../../../src/tools/builtin/index.js';
import { createToolRegistry } from '../../../src/tools/registry.js';
import type { ToolProvider } from '../../../src/tools/types.js';

let server: http.Server;
let base: string;
let hits = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits += 1;
    if (req.url === '/big') return res.end('x'.repeat(5000));
    if (req.url === '/redirect') {
      res.writeHead(302, { location: '/hello' });
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('hello');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('built-in tools', () => {
  it('http.fetch refuses loopback addresses unless allowed by config, after resolving names', async () => {
    const guarded = createBuiltinTools(HttpFetchToolSchema.parse({}));
    const before = hits;
    const direct = await guarded.callTool('http.fetch', { url: `${base}/hello` });
    expect(direct.isError).toBe(true);
    expect(direct.content).toMatch(/loopback\/private\/link-local/);
    const byName = await guarded.callTool('http.fetch', {
      url: base.replace('127.0.0.1', 'localhost') + '/hello',
    });
    expect(byName.isError).toBe(true);
    expect(hits).toBe(before);
  });

  it('http.fetch fetches from an allowed host, follows redirects and truncates at the size limit', async () => {
    const allowed = createBuiltinTools(
      HttpFetchToolSchema.parse({ allowPrivateHosts: ['127.0.0.1'], maxBytes: 1000 }),
    );
    const ok = await allowed.callTool('http.fetch', { url: `${base}/redirect` });
    expect(ok).toMatchObject({ isError: false, structured: { status: 200, body: 'hello' } });
    const big = await allowed.callTool('http.fetch', { url: `${base}/big` });
    expect(big.structured).toMatchObject({ truncated: true });
    expect((big.structured as { body: string }).body).toHaveLength(1000);
  });

  it('time.now answers in the requested zone and rejects an unknown one', async () => {
    const fixed = createBuiltinTools(HttpFetchToolSchema.parse({}), {
      now: () => new Date('2025-06-01T12:00:00Z'),
    });
    const utc = await fixed.callTool('time.now', { timezone: 'Asia/Tokyo' });
    expect(utc.structured).toMatchObject({ iso: '2025-06-01T12:00:00.000Z', unix_ms: 1748779200000 });
    expect((utc.structured as { local: string }).local).toContain('21:00:00');
    expect((await fixed.callTool('time.now', { timezone: 'Mars/Olympus' })).isError).toBe(true);
  });
});

describe('composite tool registry', () => {
  it('merges providers, keeps the first of clashing names, and routes calls by name', async () => {
    const calls: string[] = [];
    const extra: ToolProvider = {
      listTools: async () => [
        { name: 'time.now', description: 'shadowed', inputSchema: { type: 'object' } },
        { name: 'memory__store', description: 'store', inputSchema: { type: 'object' } },
      ],
      callTool: async (name) => (calls.push(name), { content: 'stored', isError: false }),
    };
    const conflicts: string[] = [];
    const registry = createToolRegistry([createBuiltinTools(HttpFetchToolSchema.parse({})), extra], {
      onConflict: (n) => conflicts.push(n),
    });
    const names = (await registry.listTools()).map((t) => t.name);
    expect(names).toEqual(['http.fetch', 'time.now', 'memory__store']);
    expect(conflicts).toEqual(['time.now']);
    expect((await registry.callTool('memory__store', {})).content).toBe('stored');
    expect((await registry.callTool('time.now', {})).isError).toBe(false);
    expect(calls).toEqual(['memory__store']);
    expect((await registry.callTool('nope', {})).isError).toBe(true);
  });
});
