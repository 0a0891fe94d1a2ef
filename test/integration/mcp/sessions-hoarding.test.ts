import { afterEach, describe, expect, it } from 'vitest';
import { buildHttpApp } from '../../../src/http/app.js';
import { MemoryRateLimiter } from '../../../src/http/rate-limit.js';
import { mcpRoutes } from '../../../src/http/routes/mcp.js';
import type { App, Principal } from '../../../src/http/types.js';
import type { McpConfig } from '../../../src/config/schema.js';
import { badServer } from '../../fixtures/mcp/servers.js';
import {
  ACCEPT,
  INIT,
  quietLogger,
  startTestGateway,
  waitFor,
  type TestGateway,
} from '../../fixtures/mcp/helpers.js';

interface Answer {
  id: number | null;
  result?: { content: Array<{ text: string }> };
  error?: { code: number; message: string; data?: { retryAfter?: number } };
}

/** The MCP routes with auth on: `x-api-key: <name>` is the principal `api_key:<name>`. */
function keyedApp(gw: TestGateway): Promise<App> {
  return buildHttpApp(
    {
      logger: quietLogger,
      bodyLimitBytes: 1024 * 1024,
      requestTimeoutMs: 30_000,
      authEnabled: true,
      authenticator: {
        authenticate: async (req) => {
          const key = req.headers['x-api-key'];
          if (typeof key !== 'string') return undefined;
          return { kind: 'api_key', id: key, name: key, role: 'user' } satisfies Principal;
        },
      },
      rateLimiter: new MemoryRateLimiter(),
      rateRules: { login: { max: 10, windowSeconds: 60 }, expensive: { max: 100_000, windowSeconds: 60 } },
    },
    [mcpRoutes({ mcp: gw.mcp })],
  );
}

/** Sessions and per-session instances that no client can hoard (issue 15, item 4). */
describe('MCP sessions and instances cannot be hoarded', () => {
  let gw: TestGateway | undefined;
  let app: App | undefined;
  let base = '';

  async function start(servers: Record<string, unknown>, overrides: Partial<McpConfig> = {}) {
    gw = await startTestGateway(servers, overrides);
    app = await keyedApp(gw);
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    return gw;
  }
  afterEach(async () => {
    await app?.close();
    await gw?.close();
    app = gw = undefined;
  });

  const post = (path: string, body: unknown, headers: Record<string, string>) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers },
      body: JSON.stringify(body),
    });

  /** initialize + initialized; returns the headers of the session. */
  async function open(path: string, key: string): Promise<Record<string, string>> {
    const res = await post(path, INIT, { 'x-api-key': key });
    expect(res.status).toBe(200);
    await res.json();
    const headers = {
      'x-api-key': key,
      'mcp-session-id': res.headers.get('mcp-session-id')!,
      'mcp-protocol-version': '2025-11-25',
    };
    await post(path, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
    return headers;
  }
  const call = async (path: string, tool: string, headers: Record<string, string>, args = {}) =>
    (await (
      await post(
        path,
        { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: tool, arguments: args } },
        headers,
      )
    ).json()) as Answer;

  it('300 initialize requests from one key do not lock out a second key', async () => {
    const g = await start({ fx: badServer('') }, { maxSessions: 40 });
    for (let i = 0; i < 300; i++) {
      const res = await post('/mcp', { ...INIT, id: i }, { 'x-api-key': 'hoarder' });
      expect(res.status).toBe(200);
      await res.body?.cancel();
    }
    expect(g.mcp.sessions.size).toBe(32); // its own cap; its oldest idle sessions made room
    // Another key gets in at once, on both endpoints, up to the global cap and past it.
    for (let i = 0; i < 12; i++) {
      const headers = await open(i % 2 ? '/mcp' : '/mcp/fx', 'second');
      const answer = await call(i % 2 ? '/mcp' : '/mcp/fx', i % 2 ? 'fx__echo' : 'echo', headers, {
        text: 'hi',
      });
      expect(answer.result?.content[0]?.text).toBe('echo: hi');
    }
    expect(g.mcp.sessions.size).toBe(40);
  }, 60_000);

  it('answers 503 with Retry-After only when every session is busy', async () => {
    await start({ fx: badServer('') }, { maxSessions: 2 });
    const streams = await Promise.all(
      ['a', 'b'].map(async (key) => {
        const headers = await open('/mcp', key);
        const controller = new AbortController();
        const res = await fetch(`${base}/mcp`, {
          headers: { ...headers, accept: 'text/event-stream' },
          signal: controller.signal,
        });
        expect(res.status).toBe(200);
        return controller;
      }),
    );
    const refused = await post('/mcp', INIT, { 'x-api-key': 'c' });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as Answer).error?.code).toBe(-32000);
    for (const c of streams) c.abort();
    // Once a stream is closed its session is idle and can be evicted for a newcomer.
    await waitFor(async () => {
      const res = await post('/mcp', INIT, { 'x-api-key': 'c' });
      await res.body?.cancel();
      return res.status === 200;
    });
  });

  it('200 sequential sessions that each end with DELETE all succeed on a per-session server with maxInstances 2', async () => {
    const g = await start({ ps: badServer('', { sharing: 'per-session', maxInstances: 2 }) });
    for (let i = 0; i < 200; i++) {
      const headers = await open('/mcp/ps', 'k');
      const answer = await call('/mcp/ps', 'echo', headers, { text: String(i) });
      expect(answer.error, `session ${i}`).toBeUndefined();
      expect(answer.result?.content[0]?.text).toBe(`echo: ${i}`);
      expect((await fetch(`${base}/mcp/ps`, { method: 'DELETE', headers })).status).toBe(200);
    }
    expect(g.mcp.servers()[0]!.instances).toHaveLength(0); // released with their sessions
  }, 180_000);

  it('lets a call wait for a busy slot, and fails it with a retry-later error, never -32603', async () => {
    await start({ ps: badServer('', { sharing: 'per-session', maxInstances: 1 }) }, { slotWaitMs: 600 });
    const a = await open('/mcp/ps', 'k');
    expect((await call('/mcp/ps', 'echo', a, { text: 'a' })).result).toBeDefined();
    const b = await open('/mcp/ps', 'k');
    const failed = await call('/mcp/ps', 'echo', b, { text: 'b' });
    expect(failed.error?.code).toBe(-32005);
    expect(failed.error?.data?.retryAfter).toBeGreaterThanOrEqual(1);
    expect(failed.error?.message).toContain('retry in');
    // A call that is waiting gets the slot the moment the session holding it ends.
    const waiting = call('/mcp/ps', 'echo', b, { text: 'b' });
    await new Promise((r) => setTimeout(r, 100));
    await fetch(`${base}/mcp/ps`, { method: 'DELETE', headers: a });
    expect((await waiting).result?.content[0]?.text).toBe('echo: b');
  });

  it('expires a session idle without an open stream and releases its instance; a streaming one stays', async () => {
    const g = await start({ ps: badServer('', { sharing: 'per-session' }) }, { sessionIdleMs: 1000 });
    const idle = await open('/mcp/ps', 'k');
    const streaming = await open('/mcp/ps', 'k');
    await call('/mcp/ps', 'echo', idle);
    await call('/mcp/ps', 'echo', streaming);
    const controller = new AbortController();
    await fetch(`${base}/mcp/ps`, {
      headers: { ...streaming, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(g.mcp.servers()[0]!.instances).toHaveLength(2);
    await waitFor(() => g.mcp.sessions.size === 1);
    await waitFor(() => g.mcp.servers()[0]!.instances.length === 1);
    const gone = await post('/mcp/ps', { jsonrpc: '2.0', id: 2, method: 'ping' }, idle);
    expect(gone.status).toBe(404);
    expect((await call('/mcp/ps', 'echo', streaming, { text: 's' })).result?.content[0]?.text).toBe(
      'echo: s',
    );
    controller.abort();
  });
});
