import { describe, expect, it } from 'vitest';
import { idOf, isJsonRpcMessage, jsonRpcProblem, JsonRpcLineReader } from '../../../src/mcp/jsonrpc.js';

describe('JSON-RPC envelope check', () => {
  it('accepts requests, notifications, results and errors', () => {
    expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 1, method: 'ping' })).toBe(true);
    expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 'a', method: 'tools/call', params: {} })).toBe(true);
    expect(isJsonRpcMessage({ jsonrpc: '2.0', method: 'notifications/initialized' })).toBe(true);
    expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 1, result: {} })).toBe(true);
    expect(isJsonRpcMessage({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'x' } })).toBe(true);
  });

  it('refuses what is not JSON-RPC 2.0', () => {
    for (const bad of [
      null,
      [],
      'ping',
      { id: 1, method: 'ping' },
      { jsonrpc: '1.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', id: 1.5, method: 'ping' },
      { jsonrpc: '2.0', id: {}, method: 'ping' },
      { jsonrpc: '2.0', method: 'ping', params: [1] },
      { jsonrpc: '2.0', id: 1 },
      { jsonrpc: '2.0', id: 1, result: 'text' },
      { jsonrpc: '2.0', id: 1, error: 'boom' },
    ])
      expect(isJsonRpcMessage(bad), JSON.stringify(bad)).toBe(false);
  });
});

describe('newline-delimited reader', () => {
  const ping = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' });

  it('frames messages split across chunks, with LF or CRLF, including multi-byte text', () => {
    const reader = new JsonRpcLineReader();
    const invalid: string[] = [];
    const text = JSON.stringify({ jsonrpc: '2.0', id: 3, result: { t: 'héllo ✓' } });
    const bytes = Buffer.from(`${ping(1)}\r\n${ping(2)}\n${text}\n`);
    const cut = bytes.indexOf('✓') + 1; // inside the three bytes of ✓
    const got = [
      ...reader.push(bytes.subarray(0, 10), (r) => invalid.push(r)),
      ...reader.push(bytes.subarray(10, cut), (r) => invalid.push(r)),
      ...reader.push(bytes.subarray(cut), (r) => invalid.push(r)),
    ];
    expect(got.map((m) => (m as { id: number }).id)).toEqual([1, 2, 3]);
    expect((got[2] as unknown as { result: { t: string } }).result.t).toBe('héllo ✓');
    expect(invalid).toEqual([]);
  });

  it('reports and skips lines that are not JSON-RPC, and keeps reading', () => {
    const reader = new JsonRpcLineReader();
    const invalid: string[] = [];
    const got = reader.push(Buffer.from(`starting up...\n{"a":1}\n\n${ping(7)}\n`), (r) => invalid.push(r));
    expect(got).toHaveLength(1);
    expect(invalid).toEqual(['not JSON: starting up...', 'not a JSON-RPC message: {"a":1}']);
  });

  it('drops a line that grows past the cap instead of buffering without bound', () => {
    const reader = new JsonRpcLineReader(1024);
    const invalid: string[] = [];
    expect(reader.push(Buffer.alloc(2048, 'x'), (r) => invalid.push(r))).toEqual([]);
    expect(invalid).toEqual(['a line exceeded 1024 bytes and was dropped']);
    expect(reader.push(Buffer.from(`${ping(8)}\n`), () => {})).toHaveLength(1);
  });
});

describe('strict check of what clients send', () => {
  it('names the extra top-level member that makes a message invalid', () => {
    expect(jsonRpcProblem({ jsonrpc: '2.0', id: 1, method: 'ping' })).toBeUndefined();
    expect(jsonRpcProblem({ jsonrpc: '2.0', id: 1, method: 'ping', foo: 1 })).toContain('"foo"');
    expect(jsonRpcProblem({ jsonrpc: '2.0', id: 1, method: 'ping', _meta: {} })).toContain('"_meta"');
    expect(jsonRpcProblem({ jsonrpc: '2.0', id: 1, result: {}, method: undefined })).toBeDefined();
    expect(jsonRpcProblem({ jsonrpc: '2.0', id: 1, method: 'x', params: { _meta: 3 } })).toContain('_meta');
    expect(jsonRpcProblem({ jsonrpc: '2.0', id: null, error: { code: 1, message: 'm' } })).toBeDefined();
  });

  it('finds the id of an invalid message when it has a usable one', () => {
    expect(idOf({ id: 4, foo: 1 })).toBe(4);
    expect(idOf({ id: 'a' })).toBe('a');
    expect(idOf({ id: 1.5 })).toBeNull();
    expect(idOf('x')).toBeNull();
  });
});
