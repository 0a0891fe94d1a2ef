import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createGunzip, createGzip } from 'node:zlib';
import { finished } from 'node:stream/promises';

/** A gzip file written one line at a time, honouring back-pressure; mode 0600 (secrets inside). */
export function gzipLineWriter(file: string): {
  write(lines: string[]): Promise<void>;
  end(): Promise<void>;
} {
  const out = createWriteStream(file, { mode: 0o600 });
  const gzip = createGzip({ level: 6 });
  gzip.pipe(out);
  return {
    async write(lines) {
      if (lines.length === 0) return;
      if (!gzip.write(`${lines.join('\n')}\n`)) await once(gzip, 'drain');
    },
    async end() {
      gzip.end();
      await finished(out);
    },
  };
}

/** Reads a gzip file of lines in batches. */
export async function* gzipLines(file: string, batch: number): AsyncGenerator<string[]> {
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  let chunk: string[] = [];
  for await (const line of lines) {
    if (line === '') continue;
    chunk.push(line);
    if (chunk.length >= batch) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length) yield chunk;
}
