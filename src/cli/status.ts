import { loadConfig } from '../config/index.js';

interface Check {
  name: string;
  required: boolean;
  status: string;
  latency_ms: number | null;
  error: string | null;
}

/** Asks a running instance for its detailed health; exit 0 only when it is ready. */
export async function runStatus(options: { config?: string; url?: string; json: boolean }): Promise<number> {
  const { config } = loadConfig(options.config ? { file: options.config } : {});
  const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  const base = options.url ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}`;
  let body: { status: string; ready: boolean; version: string; uptime_seconds: number; checks: Check[] };
  try {
    const res = await fetch(`${base}/api/v1/health/detailed`, { signal: AbortSignal.timeout(5000) });
    body = (await res.json()) as typeof body;
  } catch (err) {
    console.error(`SutazAI is not reachable at ${base}: ${(err as Error).message}`);
    return 1;
  }
  if (options.json) {
    console.log(JSON.stringify(body, null, 2));
  } else {
    console.log(`SutazAI ${body.version} at ${base}: ${body.status} (up ${body.uptime_seconds} s)`);
    for (const c of body.checks) {
      const latency = c.latency_ms === null ? '' : ` ${c.latency_ms} ms`;
      const req = c.required ? 'required' : 'optional';
      console.log(`  ${c.status.padEnd(7)} ${c.name} (${req})${latency}${c.error ? ` — ${c.error}` : ''}`);
    }
  }
  return body.ready ? 0 : 1;
}
