import { describe, expect, it } from 'vitest';
import { readSse, SseParser } from '../../../web/src/api/sse.js';

describe('SseParser', () => {
  it('parses events with id, type and data', () => {
    const p = new SseParser();
    const out = p.push('id: 7\nevent: task\ndata: {"id":"a"}\n\n');
    expect(out).toEqual([{ id: '7', event: 'task', data: '{"id":"a"}' }]);
    expect(p.lastEventId).toBe('7');
  });

  it('joins chunks split anywhere, including inside \\r\\n', () => {
    const p = new SseParser();
    const text = 'id: 1\r\nevent: mcp\r\ndata: {"server":"m"}\r\n\r\nid: 2\r\ndata: x\r\n\r\n';
    const out = [];
    for (const ch of text) out.push(...p.push(ch));
    expect(out).toEqual([
      { id: '1', event: 'mcp', data: '{"server":"m"}' },
      { id: '2', event: 'message', data: 'x' },
    ]);
    expect(p.lastEventId).toBe('2');
  });

  it('drops comments (heartbeats) and joins multi-line data with newlines', () => {
    const p = new SseParser();
    expect(p.push(': hb\n\n')).toEqual([]);
    expect(p.push('data: a\ndata: b\n\n')).toEqual([{ id: undefined, event: 'message', data: 'a\nb' }]);
  });

  it('keeps only one leading space of a value and accepts a field without colon', () => {
    const p = new SseParser();
    expect(p.push('data:  two spaces\n\n')[0]!.data).toBe(' two spaces');
    expect(p.push('data\n\n')).toEqual([{ id: undefined, event: 'message', data: '' }]);
  });

  it('does not dispatch an event without data, but remembers its id', () => {
    const p = new SseParser();
    expect(p.push('id: 9\nevent: x\n\n')).toEqual([]);
    expect(p.lastEventId).toBe('9');
  });

  it('reads a byte stream whose chunks split a multi-byte character', async () => {
    const bytes = new TextEncoder().encode('event: delta\ndata: {"content":"héllo ✓"}\n\n');
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const b of bytes) c.enqueue(new Uint8Array([b]));
        c.close();
      },
    });
    const seen: string[] = [];
    await readSse(stream, (e) => seen.push(e.data));
    expect(seen).toEqual(['{"content":"héllo ✓"}']);
  });
});
