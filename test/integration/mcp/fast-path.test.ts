import { afterEach, describe, expect, it, vi } from 'vitest';
import { DirectCalls } from '../../../src/mcp/aggregate/direct-calls.js';
import { ACCEPT, INIT, useMcpApp } from '../../fixtures/mcp/helpers.js';
import { badServer } from '../../fixtures/mcp/servers.js';

/**
 * The fast path of an established session (decision 0072): a plain tools/call is answered
 * without the SDK server, and its answers are the ones the SDK server gives, byte for byte — the
 * same requests are sent with the fast path on and switched off, and the wire answers compared.
 */
describe.each([
  ['/mcp', 'fx__'],
  ['/mcp/fx', ''],
])('the tools/call fast path on %s', (path, prefix) => {
  const live = useMcpApp({ fx: badServer('') });
  afterEach(() => vi.restoreAllMocks());

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${live.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
  async function session(): Promise<Record<string, string>> {
    const res = await post(INIT);
    const headers = {
      'mcp-session-id': res.headers.get('mcp-session-id')!,
      'mcp-protocol-version': '2025-11-25',
    };
    await res.json();
    await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
    return headers;
  }
  const call = (id: number, params: unknown) => ({ jsonrpc: '2.0', id, method: 'tools/call', params });
  /** Requests whose answers must not depend on the path taken. */
  const cases: Array<[string, unknown]> = [
    ['a result', { name: `${prefix}echo`, arguments: { text: 'hi' } }],
    ['a tool error', { name: `${prefix}fail`, arguments: {} }],
    ['no arguments', { name: `${prefix}echo` }],
    ['an upstream error', { name: `${prefix}nope`, arguments: {} }],
    [
      'a _meta without a progress token',
      { name: `${prefix}echo`, arguments: { text: 'm' }, _meta: { x: 1 } },
    ],
    ['a batch', [{ name: `${prefix}echo`, arguments: { text: 'a' } }, { name: 7 }]],
  ];
  if (prefix) cases.push(['an unprefixed name', { name: 'echo', arguments: {} }]);

  async function answers(): Promise<Array<[number, unknown]>> {
    const headers = await session();
    const out: Array<[number, unknown]> = [];
    let id = 1;
    for (const [, params] of cases) {
      const body = Array.isArray(params) ? params.map((p) => call(id++, p)) : call(id++, params);
      const res = await post(body, headers);
      out.push([res.status, await res.json()]);
    }
    return out;
  }

  it('answers plain tool calls without the SDK server, exactly as the SDK server does', async () => {
    const taken = vi.spyOn(DirectCalls.prototype, 'answer');
    const fast = await answers();
    expect(taken).toHaveBeenCalled();
    vi.spyOn(DirectCalls.prototype, 'accepts').mockReturnValue(false);
    taken.mockClear();
    const slow = await answers();
    expect(taken).not.toHaveBeenCalled();
    expect(fast).toEqual(slow);
    expect(fast[0]).toEqual([
      200,
      { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'echo: hi' }] } },
    ]);
  });

  it('leaves a call that asks for progress, or carries unusual params, to the SDK server', async () => {
    const headers = await session();
    const taken = vi.spyOn(DirectCalls.prototype, 'answer');
    const progress = await post(
      call(1, { name: `${prefix}sleep`, arguments: { ms: 40 }, _meta: { progressToken: 'p' } }),
      headers,
    );
    expect(progress.headers.get('content-type')).toBe('text/event-stream');
    const events = await progress.text();
    expect(events.match(/notifications\/progress/g)).toHaveLength(4);
    expect(events).toContain('slept 40');
    const odd = await post(call(2, { name: `${prefix}echo`, arguments: [1] }), headers);
    expect(((await odd.json()) as { error?: { code: number } }).error?.code).toBe(-32602);
    expect(taken).not.toHaveBeenCalled();
  });
});
