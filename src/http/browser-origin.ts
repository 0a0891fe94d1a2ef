import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { SutazaiError } from '../errors.js';

/**
 * DNS-rebinding defence. A page on `http://evil.example:10010` whose name an attacker re-points at
 * 127.0.0.1 reaches our loopback port from the victim's browser; the browser still sends
 * `Host: evil.example:10010` (and `Origin: http://evil.example:10010`). So every request must name
 * us: its Host a name this server answers to, its Origin (when present) the same origin as the
 * Host or an explicitly configured one. Checked before auth, so auth off (the loopback mode) is
 * safe too. The port of the Host is not compared: rebinding needs a foreign *name*, and the
 * port a client dialled (a proxy's, Fastify inject's `localhost:80`) says nothing about who asks.
 */
export interface BrowserOriginPolicy {
  /** The address the server binds (config http.host). */
  bindHost: string;
  /** Extra host names (or IP literals) the server is reached by: config http.allowedHosts. */
  allowedHosts: readonly string[];
  /** Extra origins a browser page may call from (config http.corsOrigin), e.g. a dashboard elsewhere. */
  allowedOrigins: readonly string[];
}

const LOCAL_NAMES = ['localhost', '127.0.0.1', '::1'];
const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/** `Example.COM.` → `example.com`; `[::1]:80` → `::1`; undefined when it is not a host[:port]. */
export function hostnameOf(hostHeader: string): string | undefined {
  const value = hostHeader.trim().toLowerCase();
  let host: string;
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0) return undefined;
    host = value.slice(1, end);
    if (value.length > end + 1 && !/^:\d{1,5}$/.test(value.slice(end + 1))) return undefined;
  } else {
    const [name, port, extra] = value.split(':');
    if (extra !== undefined || (port !== undefined && !/^\d{1,5}$/.test(port))) return undefined;
    host = name ?? '';
  }
  host = host.replace(/\.$/, '');
  return host === '' ? undefined : host;
}

function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .map((i) => i?.address.toLowerCase())
    .filter((a): a is string => Boolean(a));
}

/** Whether a Host header names this server. */
export function hostAllowed(policy: BrowserOriginPolicy, hostHeader: string): boolean {
  const host = hostnameOf(hostHeader);
  if (host === undefined) return false;
  const bind = policy.bindHost.toLowerCase();
  if (LOCAL_NAMES.includes(host) || host === bind) return true;
  if (policy.allowedHosts.some((h) => h.toLowerCase().replace(/\.$/, '') === host)) return true;
  if (host.startsWith('127.') && isIP(host) === 4) return true;
  // On a wildcard bind the machine is reached by any of its own addresses; interfaces come and
  // go (DHCP), so look them up when an address is asked for rather than once at start.
  return WILDCARDS.has(bind) && isIP(host) !== 0 && interfaceAddresses().includes(host);
}

/**
 * Whether an Origin header may call: the same origin as the Host (a page of ours), a configured
 * public name (behind a proxy that rewrites Host), or a configured origin. A page on another
 * localhost port is another origin and is refused.
 */
export function originAllowed(policy: BrowserOriginPolicy, origin: string, hostHeader: string): boolean {
  if (policy.allowedOrigins.some((o) => o.replace(/\/$/, '').toLowerCase() === origin.toLowerCase()))
    return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" (sandboxed frames, file://) and anything else that is not an origin
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const configured = policy.allowedHosts.some((h) => h.toLowerCase() === url.hostname);
  return configured || (url.host === hostHeader.trim().toLowerCase() && hostAllowed(policy, url.host));
}

/** Throws 421 for a foreign Host and 403 for a foreign Origin; a request without Host passes. */
export function assertBrowserOrigin(
  policy: BrowserOriginPolicy,
  headers: { host?: string | undefined; origin?: string | string[] | undefined },
): void {
  const host = headers.host;
  if (host !== undefined && !hostAllowed(policy, host))
    throw new SutazaiError('SUTAZAI_ERR_HTTP_HOST_NOT_ALLOWED', { host: printable(host) });
  const origin = headers.origin;
  if (origin === undefined) return;
  const single = Array.isArray(origin) ? undefined : origin;
  if (single === undefined || host === undefined || !originAllowed(policy, single, host))
    throw new SutazaiError('SUTAZAI_ERR_HTTP_ORIGIN_NOT_ALLOWED', { origin: printable(String(origin)) });
}

/** Echoed header values are cut short and stripped of control characters. */
function printable(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 200);
}
