import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  OutboundRefusedError,
  type OutboundGuard,
  type Requester,
  type ResolvedTarget,
} from './outbound-guard.js';

/**
 * An HTTP(S) request through the outbound guard: every hop (the first URL and each redirect it
 * follows) is checked, and the socket connects to the address the guard checked, never to a
 * fresh DNS answer (no rebinding between check and connect). TLS still verifies the URL's name.
 */
export interface GuardedRequestOptions {
  guard: OutboundGuard;
  requester: Requester;
  method: string;
  headers?: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** Redirects to follow (0: a 3xx is the answer). Each hop becomes a GET without a body. */
  maxRedirects: number;
}

export interface GuardedResponse {
  response: http.IncomingMessage;
  /** The URL that answered, after redirects. */
  url: URL;
}

export async function guardedRequest(start: URL, options: GuardedRequestOptions): Promise<GuardedResponse> {
  let url = start;
  let { method, body } = options;
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new OutboundRefusedError(`scheme ${url.protocol} is not allowed`);
    const target = await options.guard.check(url.hostname, options.requester);
    const response = await pinnedRequest(url, target, { ...options, method, body });
    const location = response.headers.location;
    const redirect =
      response.statusCode !== undefined && response.statusCode >= 300 && response.statusCode < 400;
    if (!redirect || !location || hop >= options.maxRedirects) return { response, url };
    response.resume();
    url = new URL(location, url);
    method = 'GET';
    body = undefined;
  }
}

function pinnedRequest(
  url: URL,
  target: ResolvedTarget,
  options: Pick<GuardedRequestOptions, 'headers' | 'signal'> & { method: string; body: string | undefined },
): Promise<http.IncomingMessage> {
  const lib = url.protocol === 'https:' ? https : http;
  // Node 20 asks with { all: true } when it races address families (autoSelectFamily).
  const lookup: LookupFunction = (_host, opts, cb) => {
    if ((opts as { all?: boolean }).all)
      (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
        { address: target.address, family: target.family },
      ]);
    else cb(null, target.address, target.family);
  };
  return new Promise((resolve, reject) => {
    const req = lib.request(url, {
      method: options.method,
      headers: options.headers ?? {},
      lookup,
      signal: options.signal,
    });
    req.on('error', reject);
    req.on('response', resolve);
    req.end(options.body);
  });
}
