import http from 'node:http';
import https from 'node:https';
import type { HttpFetchToolConfig } from '../../config/schema.js';
import type { ToolCallOptions, ToolDescriptor, ToolResult } from '../types.js';
import { SsrfError, resolveAllowed } from './ssrf-guard.js';

export const httpFetchDescriptor: ToolDescriptor = {
  name: 'http.fetch',
  description:
    'Fetch a URL over HTTP(S) and return status, headers and the body as text (truncated at a size limit). Private and loopback addresses are refused.',
  inputSchema: {
    type: 'object',
    properties: {
      url: { type: 'string', pattern: '^https?://', maxLength: 4096 },
      method: { type: 'string', enum: ['GET', 'HEAD', 'POST'], default: 'GET' },
      headers: { type: 'object', additionalProperties: { type: 'string' } },
      body: { type: 'string', maxLength: 1048576 },
    },
    required: ['url'],
    additionalProperties: false,
  },
};

interface FetchArgs {
  url: string;
  method?: 'GET' | 'HEAD' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

interface Fetched {
  status: number;
  headers: Record<string, string>;
  body: string;
  truncated: boolean;
  url: string;
}

function once(
  url: URL,
  args: FetchArgs,
  address: { address: string; family: 4 | 6 },
  config: HttpFetchToolConfig,
  signal: AbortSignal,
): Promise<Fetched & { location?: string }> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, {
      method: args.method ?? 'GET',
      headers: { 'user-agent': 'sutazai-http-fetch/1', ...args.headers },
      // Connect to the address we checked, never to a fresh DNS answer.
      lookup: (_host, _opts, cb) => cb(null, address.address, address.family),
      signal,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      res.on('data', (chunk: Buffer) => {
        if (truncated) return;
        const room = config.maxBytes - size;
        if (chunk.length > room) {
          chunks.push(chunk.subarray(0, room));
          truncated = true;
          size = config.maxBytes;
          res.destroy();
          finish();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        const headers = Object.fromEntries(
          Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]),
        );
        resolve({
          status: res.statusCode ?? 0,
          headers,
          body: Buffer.concat(chunks).toString('utf8'),
          truncated,
          url: url.toString(),
          ...(res.headers.location ? { location: res.headers.location } : {}),
        });
      };
      res.on('end', finish);
      res.on('error', (err) => (truncated ? finish() : reject(err)));
    });
    req.end(args.body);
  });
}

/** http.fetch: SSRF-guarded, size- and time-limited; follows up to maxRedirects, re-checking each hop. */
export async function httpFetch(
  args: FetchArgs,
  config: HttpFetchToolConfig,
  options: ToolCallOptions = {},
): Promise<ToolResult> {
  const timeout = AbortSignal.timeout(Math.min(options.timeoutMs ?? config.timeoutMs, config.timeoutMs));
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let url = new URL(args.url);
  try {
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new SsrfError(`scheme ${url.protocol} is not allowed`);
      const address = await resolveAllowed(url.hostname, config.allowPrivateHosts);
      const res = await once(url, args, address, config, signal);
      if (res.location && res.status >= 300 && res.status < 400 && hop < config.maxRedirects) {
        url = new URL(res.location, url);
        args = { ...args, method: 'GET', body: undefined } as FetchArgs;
        continue;
      }
      const { location: _drop, ...result } = res;
      const head = `HTTP ${res.status}\ncontent-type: ${res.headers['content-type'] ?? ''}${res.truncated ? `\n(truncated at ${config.maxBytes} bytes)` : ''}`;
      return { content: `${head}\n\n${res.body}`, isError: res.status >= 400, structured: result };
    }
  } catch (err) {
    const reason = timeout.aborted ? `timed out after ${config.timeoutMs} ms` : (err as Error).message;
    return { content: `http.fetch failed: ${reason}`, isError: true };
  }
}
