import { describe, expect, it } from 'vitest';
import { badServer } from '../../fixtures/mcp/servers.js';
import { ACCEPT, INIT, useMcpApp } from '../../fixtures/mcp/helpers.js';

interface Answer {
  jsonrpc: string;
  id: string | number | null;
  result?: unknown;
  error?: { code: number; message: string };
}

/**
 * Strict JSON-RPC 2.0 on /mcp and /mcp/{server}, on the wire: every invalid message is answered
 * (-32600 with its id), never dropped; batch members are answered independently; refusals keep
 * the JSON-RPC shape; a bad initialize costs no session.
 */
describe.each([
  ['/mcp', 'fx__echo'],
  ['/mcp/fx', 'echo'],
])('strict JSON-RPC on %s', (path, echo) => {
  const live = useMcpApp({ fx: badServer('') });

  const send = (body: string, headers: Record<string, string> = {}, method = 'POST') =>
    fetch(`${live.base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers },
      body,
      // The bug this guards against was a hang: fail in seconds, not at the test timeout.
      signal: AbortSignal.timeout(5000),
    });
  const post = (body: unknown, headers: Record<string, string> = {}) => send(JSON.stringify(body), headers);

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
  const call = (id: number, text: string) => ({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: echo, arguments: { text } },
  });

  it('answers a request with an extra top-level member with -32600 and its id, at once', async () => {
    const headers = await session();
    for (const extra of [{ foo: 1 }, { _meta: { x: 1 } }]) {
      const res = await post({ ...call(1, 'x'), ...extra }, headers);
      expect(res.status).toBe(400);
      const body = (await res.json()) as Answer;
      expect(body.id).toBe(1);
      expect(body.error?.code).toBe(-32600);
      expect(body.error?.message).toContain(Object.keys(extra)[0]);
    }
  });

  it('answers every member of a batch independently: one invalid member blocks nothing', async () => {
    const headers = await session();
    const res = await post(
      [
        call(1, 'a'),
        { ...call(2, 'b'), foo: 1 },
        { jsonrpc: '1.0', id: 3, method: 'ping' },
        'not a message',
        call(4, 'd'),
        { jsonrpc: '2.0', id: 5, method: 'ping', params: { _meta: { progressToken: 1.5 } } },
      ],
      headers,
    );
    expect(res.status).toBe(200);
    const answers = (await res.json()) as Answer[];
    const byId = new Map(answers.map((a) => [a.id, a]));
    expect(answers).toHaveLength(6);
    expect(byId.get(1)?.result).toEqual({ content: [{ type: 'text', text: 'echo: a' }] });
    expect(byId.get(4)?.result).toEqual({ content: [{ type: 'text', text: 'echo: d' }] });
    for (const id of [2, 3, 5]) expect(byId.get(id)?.error?.code).toBe(-32600);
    expect(answers.filter((a) => a.id === null).map((a) => a.error?.code)).toEqual([-32600]);
  });

  it('answers a repeated id in a batch once per request', async () => {
    const headers = await session();
    const res = await post([call(7, 'a'), call(7, 'b')], headers);
    const answers = (await res.json()) as Answer[];
    expect(answers).toHaveLength(2);
    expect(answers.map((a) => (a.error ? 'error' : 'result')).sort()).toEqual(['error', 'result']);
  });

  it('answers a malformed body with HTTP 400 and -32700 in JSON-RPC shape, with or without a session', async () => {
    const headers = await session();
    for (const h of [{}, headers]) {
      const res = await send('{"jsonrpc": "2.0", "id": 1, "method": ', h);
      expect(res.status).toBe(400);
      const body = (await res.json()) as Answer;
      expect(body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    }
  });

  it('answers a wrong content type with 415 and other methods with 405 and Allow, in JSON-RPC shape', async () => {
    const headers = await session();
    const wrongType = await send(JSON.stringify(call(1, 'x')), { ...headers, 'content-type': 'text/plain' });
    expect(wrongType.status).toBe(415);
    expect(((await wrongType.json()) as Answer).error?.code).toBe(-32000);
    for (const method of ['PUT', 'PATCH']) {
      const res = await send(JSON.stringify(call(1, 'x')), headers, method);
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, POST, DELETE');
      expect(((await res.json()) as Answer).error?.code).toBe(-32000);
    }
  });

  it('answers a bad initialize with -32602 and a readable message, and opens no session', async () => {
    const before = live.gw.mcp.sessions.size;
    const res = await post({ ...INIT, id: 'i1', params: { protocolVersion: 2025 } });
    expect(res.status).toBe(400);
    expect(res.headers.get('mcp-session-id')).toBeNull();
    const body = (await res.json()) as Answer;
    expect(body.id).toBe('i1');
    expect(body.error?.code).toBe(-32602);
    expect(body.error?.message).toContain('params.protocolVersion');
    expect(body.error?.message).not.toContain('"code"'); // not a raw zod issue array
    const extra = await post({ ...INIT, id: 'i2', foo: 1 });
    expect(extra.status).toBe(400);
    expect((await extra.json()) as Answer).toMatchObject({ id: 'i2', error: { code: -32600 } });
    expect(live.gw.mcp.sessions.size).toBe(before);
  });
});
