import type { IncomingMessage } from 'node:http';
import type { HttpFetchToolConfig } from '../../config/schema.js';
import { guardedRequest, type OutboundGuard } from '../../net/index.js';
import type { ToolCallOptions, ToolDescriptor, ToolResult } from '../types.js';

export const httpFetchDescriptor: ToolDescriptor = {
  name: 'http.fetch',
  description:
    'Fetch a URL over HTTP(S) and return status, headers and the body as text (truncated at a size limit). Private, loopback and metadata addresses are refused unless the task was submitted by an admin or the address is allowlisted.',
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

/** Reads at most `maxBytes` of the body; the rest is cut off (and the socket closed). */
async function readBody(
  res: IncomingMessage,
  maxBytes: number,
): Promise<{ body: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    const room = maxBytes - size;
    if (chunk.length > room) {
      chunks.push(chunk.subarray(0, room));
      res.destroy();
      return { body: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { body: Buffer.concat(chunks).toString('utf8'), truncated: false };
}

/** http.fetch: SSRF-guarded, size- and time-limited; follows up to maxRedirects, re-checking each hop. */
export async function httpFetch(
  args: FetchArgs,
  config: HttpFetchToolConfig,
  guard: OutboundGuard,
  options: ToolCallOptions = {},
): Promise<ToolResult> {
  const timeout = AbortSignal.timeout(Math.min(options.timeoutMs ?? config.timeoutMs, config.timeoutMs));
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const { response, url } = await guardedRequest(new URL(args.url), {
      guard,
      // A call with no requester comes from the platform itself, never from a user's task.
      requester: options.requester ?? 'user',
      method: args.method ?? 'GET',
      headers: { 'user-agent': 'sutazai-http-fetch/1', ...args.headers },
      ...(args.body !== undefined ? { body: args.body } : {}),
      signal,
      maxRedirects: config.maxRedirects,
    });
    const { body, truncated } = await readBody(response, config.maxBytes);
    const headers = Object.fromEntries(
      Object.entries(response.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]),
    );
    const status = response.statusCode ?? 0;
    const result: Fetched = { status, headers, body, truncated, url: url.toString() };
    const head = `HTTP ${status}\ncontent-type: ${headers['content-type'] ?? ''}${truncated ? `\n(truncated at ${config.maxBytes} bytes)` : ''}`;
    return { content: `${head}\n\n${body}`, isError: status >= 400, structured: result };
  } catch (err) {
    const reason = timeout.aborted ? `timed out after ${config.timeoutMs} ms` : (err as Error).message;
    return { content: `http.fetch failed: ${reason}`, isError: true };
  }
}
