import { describe, expect, it } from 'vitest';
import { LineDecoder, SseDecoder, ndjson } from '../../../src/llm/decoders.js';

const lines = [
  { model: 'm', message: { role: 'assistant', content: 'Grüße, ' }, done: false },
  { model: 'm', message: { role: 'assistant', content: '世界 🌍' }, done: false },
  {
    model: 'm',
    message: {
      role: 'assistant',
      content: '',
      tool_calls: [{ function: { name: 't', arguments: { a: 1 } } }],
    },
    done: false,
  },
  { model: 'm', done: true, total_duration: 123, eval_count: 3 },
];
const wire = Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');

async function* chunks(parts: Buffer[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield p;
}

describe('NDJSON decoding', () => {
  it('yields the same objects however the bytes are split (every single offset)', async () => {
    for (let cut = 0; cut <= wire.length; cut++) {
      const out = [];
      for await (const obj of ndjson(chunks([wire.subarray(0, cut), wire.subarray(cut)]))) out.push(obj);
      expect(out, `split at byte ${cut}`).toEqual(lines);
    }
  });

  it('yields the same objects when fed one byte at a time, and without a trailing newline', async () => {
    const noTrailing = wire.subarray(0, wire.length - 1);
    const bytes = [...noTrailing].map((b) => Buffer.from([b]));
    const out = [];
    for await (const obj of ndjson(chunks(bytes))) out.push(obj);
    expect(out).toEqual(lines);
  });

  it('strips CR of CRLF line ends', () => {
    const d = new LineDecoder();
    expect(d.push(Buffer.from('{"a":1}\r\n{"b"'))).toEqual(['{"a":1}']);
    expect(d.push(Buffer.from(':2}\r\n'))).toEqual(['{"b":2}']);
  });
});

describe('SSE decoding', () => {
  const text = 'event: x\ndata: {"a":"é"}\n\n: comment\ndata: line1\ndata: line2\n\ndata: [DONE]\n\n';
  const expected = [
    { event: 'x', data: '{"a":"é"}' },
    { event: 'message', data: 'line1\nline2' },
    { event: 'message', data: '[DONE]' },
  ];
  it('parses events split at every byte offset', () => {
    const buf = Buffer.from(text);
    for (let cut = 0; cut <= buf.length; cut++) {
      const d = new SseDecoder();
      const out = [...d.push(buf.subarray(0, cut)), ...d.push(buf.subarray(cut)), ...d.end()];
      expect(out, `split at byte ${cut}`).toEqual(expected);
    }
  });
});
