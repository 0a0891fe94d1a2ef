/** The running platform's own MCP children, read from GET /api/v1/mcp/servers. */
export interface PlatformServer {
  name: string;
  state: string;
  pid?: number;
  restarts?: number;
  memoryBytes?: number;
  memoryLimitBytes?: number;
}

export interface PlatformSourceOptions {
  baseUrl: string;
  apiKey?: string;
  timeoutMs?: number;
}

/** Tolerant of the gateway's list shape: an array or `{ servers: [...] }`, with common field names. */
export function parsePlatformServers(body: unknown): PlatformServer[] {
  const list = Array.isArray(body) ? body : ((body as { servers?: unknown[] })?.servers ?? []);
  return list.map((raw) => {
    const o = (raw ?? {}) as Record<string, unknown>;
    const num = (...keys: string[]) => {
      for (const k of keys) if (typeof o[k] === 'number') return o[k] as number;
      return undefined;
    };
    const pid = num('pid');
    const restarts = num('restarts', 'restartCount');
    const memoryBytes = num('rssBytes', 'memoryBytes');
    const memoryLimitBytes = num('memoryLimitBytes', 'maxRssBytes');
    return {
      name: String(o.name ?? '?'),
      state: String(o.state ?? o.status ?? 'unknown'),
      ...(pid !== undefined ? { pid } : {}),
      ...(restarts !== undefined ? { restarts } : {}),
      ...(memoryBytes !== undefined ? { memoryBytes } : {}),
      ...(memoryLimitBytes !== undefined ? { memoryLimitBytes } : {}),
    };
  });
}

/** Undefined when the platform is not running (connection refused): the source is then unavailable. */
export async function readPlatformServers(
  opts: PlatformSourceOptions,
): Promise<PlatformServer[] | undefined> {
  let res: Response;
  try {
    res = await fetch(new URL('/api/v1/mcp/servers', opts.baseUrl), {
      headers: opts.apiKey ? { 'x-api-key': opts.apiKey } : {},
      signal: AbortSignal.timeout(opts.timeoutMs ?? 3000),
    });
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    if (code === 'ECONNREFUSED') return undefined;
    throw err;
  }
  if (!res.ok) throw new Error(`GET /api/v1/mcp/servers answered ${res.status}`);
  return parsePlatformServers(await res.json());
}
