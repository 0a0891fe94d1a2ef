import { loadConfig } from '../config/index.js';
import { colourEnabled, palette, type Palette } from './colour.js';

interface Check {
  name: string;
  required: boolean;
  status: string;
  latency_ms: number | null;
  error: string | null;
}

interface Report {
  status: string;
  ready: boolean;
  version: string;
  uptime_seconds: number;
  checks: Check[];
}

const TIMEOUT_MS = 5000;

/** Why a request to `base` failed, in words that say what to do (fetch itself says "fetch failed"). */
export function describeUnreachable(err: unknown, base: string): string {
  const cause = (err as { cause?: { code?: string } }).cause;
  const code = cause?.code ?? (err as { code?: string }).code;
  const name = (err as Error).name;
  if (name === 'TimeoutError' || name === 'AbortError')
    return `${base} did not answer within ${TIMEOUT_MS / 1000} s — is the server overloaded or stuck?`;
  if ((cause as Error | undefined)?.message === 'bad port')
    return `${base} uses a port that fetch (like a browser) refuses to dial; choose another port`;
  switch (code) {
    case 'ECONNREFUSED':
      return `nothing is listening on ${base} — is \`sutazai up\` running?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host name in ${base} does not resolve — check --url or http.host`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `${base} closed the connection — is something other than SutazAI on that port?`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${base} is not reachable from this machine (${code})`;
  }
  const detail = code ?? (cause as Error | undefined)?.message ?? (err as Error).message;
  return `${base} could not be reached (${detail})`;
}

/** The report as lines for a person; `p` paints when the output is a terminal. */
export function formatReport(body: Report, base: string, p: Palette): string[] {
  const overall = body.status === 'up' ? p.green : body.status === 'degraded' ? p.yellow : p.red;
  const lines = [`SutazAI ${body.version} at ${base}: ${overall(body.status)} (up ${body.uptime_seconds} s)`];
  for (const c of body.checks) {
    const paint = c.status === 'up' ? p.green : c.status === 'down' ? p.red : p.yellow;
    const latency = c.latency_ms === null ? '' : ` ${c.latency_ms} ms`;
    const req = c.required ? 'required' : 'optional';
    const error = c.error ? ` — ${c.error}` : '';
    lines.push(`  ${paint(c.status.padEnd(7))} ${c.name} ${p.dim(`(${req})${latency}`)}${error}`);
  }
  return lines;
}

/** Asks a running instance for its detailed health; exit 0 only when it is ready. */
export async function runStatus(options: { config?: string; url?: string; json: boolean }): Promise<number> {
  const { config } = loadConfig(options.config ? { file: options.config } : {});
  const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  const base = options.url ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}`;
  let body: Report;
  try {
    const res = await fetch(`${base}/api/v1/health/detailed`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    body = (await res.json()) as Report;
  } catch (err) {
    const p = palette(colourEnabled(process.stderr, process.env));
    console.error(`${p.red('SutazAI is not reachable')}: ${describeUnreachable(err, base)}`);
    return 1;
  }
  if (options.json) console.log(JSON.stringify(body, null, 2));
  else
    for (const line of formatReport(body, base, palette(colourEnabled(process.stdout, process.env))))
      console.log(line);
  return body.ready ? 0 : 1;
}
