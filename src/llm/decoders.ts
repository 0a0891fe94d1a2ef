import { StringDecoder } from 'node:string_decoder';

/**
 * Incremental line splitting for NDJSON and SSE. Chunks may split anywhere, including inside a
 * multi-byte UTF-8 character; StringDecoder keeps the partial bytes for the next chunk.
 */
export class LineDecoder {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(private readonly maxLineBytes = 16 * 1024 * 1024) {}

  push(chunk: Buffer): string[] {
    this.pending += this.decoder.write(chunk);
    const parts = this.pending.split('\n');
    this.pending = parts.pop() ?? '';
    if (this.pending.length > this.maxLineBytes) throw new Error('line exceeds the size limit');
    return parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  }

  end(): string[] {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    return rest.trim() ? [rest.endsWith('\r') ? rest.slice(0, -1) : rest] : [];
  }
}

/** NDJSON objects from a byte stream; blank lines are skipped. */
export async function* ndjson(body: AsyncIterable<Buffer>): AsyncGenerator<unknown> {
  const lines = new LineDecoder();
  for await (const chunk of body) {
    for (const line of lines.push(chunk)) if (line.trim()) yield JSON.parse(line);
  }
  for (const line of lines.end()) if (line.trim()) yield JSON.parse(line);
}

export interface SseEvent {
  event: string;
  data: string;
}

/** Server-sent events per the WHATWG parsing rules (data lines joined, comments ignored). */
export class SseDecoder {
  private readonly lines = new LineDecoder();
  private data: string[] = [];
  private event = '';

  push(chunk: Buffer): SseEvent[] {
    return this.feed(this.lines.push(chunk));
  }

  end(): SseEvent[] {
    return this.feed([...this.lines.end(), '']);
  }

  private feed(lines: string[]): SseEvent[] {
    const out: SseEvent[] = [];
    for (const line of lines) {
      if (line === '') {
        if (this.data.length) out.push({ event: this.event || 'message', data: this.data.join('\n') });
        this.data = [];
        this.event = '';
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.data.push(value);
      else if (field === 'event') this.event = value;
    }
    return out;
  }
}

export async function* sse(body: AsyncIterable<Buffer>): AsyncGenerator<SseEvent> {
  const decoder = new SseDecoder();
  for await (const chunk of body) yield* decoder.push(chunk);
  yield* decoder.end();
}
