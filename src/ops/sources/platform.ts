/** The running platform's own MCP children, read from GET /api/v1/mcp/servers. */
export interface PlatformServer {
  name: string;
  state: string;
  pid?: number;
  restarts?: number;
  memoryBytes?: number;
  memoryLimitBytes?: number;
}

/** Where the platform's children are read: its API over HTTP, or the gateway in this process. */
export type PlatformSourceOptions = HttpPlatformSource | InProcessPlatformSource;

export interface HttpPlatformSource {
  kind?: 'http';
  baseUrl: string;
  /** SUTAZAI_API_KEY: any key of a user works (the list is a user route). */
  apiKey?: string;
  /**
   * Without an API key: the data dir's local credential (src/auth/local-credential.ts), read at
   * every audit because it rotates at every start; `reason` says why there is none.
   */
  localCredential?: () => Promise<{ ok: true; token: string } | { ok: false; reason: string }>;
  timeoutMs?: number;
}

export interface InProcessPlatformSource {
  kind: 'in-process';
  /** The gateway's server list (`McpGateway.servers()`). */
  read: () => unknown[];
}

/** The server-side report's source: the gateway it runs beside, no HTTP and no credential. */
export function inProcessPlatform(read: () => unknown[]): InProcessPlatformSource {
  return { kind: 'in-process', read };
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
    // The gateway reports `pids` (one per instance); older shapes a single `pid`.
    const pid =
      num('pid') ?? (Array.isArray(o.pids) && typeof o.pids[0] === 'number' ? o.pids[0] : undefined);
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
  if (opts.kind === 'in-process') return parsePlatformServers(opts.read());
  const { token, missing } = await credentialFor(opts);
  let res: Response;
  try {
    res = await fetch(new URL('/api/v1/mcp/servers', opts.baseUrl), {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(opts.timeoutMs ?? 3000),
    });
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    if (code === 'ECONNREFUSED') return undefined;
    throw err;
  }
  if (res.status === 401 || res.status === 403) throw new Error(refusedMessage(res.status, opts, missing));
  if (!res.ok) throw new Error(`GET /api/v1/mcp/servers answered ${res.status}`);
  return parsePlatformServers(await res.json());
}

/** Described in platform not platform-source terms: what is said is what the person can fix. */
export function platformDescription(opts: PlatformSourceOptions): string {
  return opts.kind === 'in-process' ? 'this process' : opts.baseUrl;
}

async function credentialFor(opts: HttpPlatformSource): Promise<{ token?: string; missing?: string }> {
  if (opts.apiKey) return { token: opts.apiKey };
  if (!opts.localCredential) return { missing: 'no local credential was looked for' };
  const read = await opts.localCredential();
  return read.ok ? { token: read.token } : { missing: read.reason };
}

function refusedMessage(status: number, opts: HttpPlatformSource, missing: string | undefined): string {
  const sent = opts.apiKey
    ? 'the API key in SUTAZAI_API_KEY was refused'
    : missing
      ? `no credential was sent (${missing})`
      : 'the local credential was refused (is this the data dir of the server on this port?)';
  return (
    `GET ${opts.baseUrl}/api/v1/mcp/servers answered ${status}: ${sent}. ` +
    'Fix: run sutazai doctor as the user that owns the data dir, on the machine where sutazai up runs ' +
    '(it reads <dataDir>/local-credential), or set SUTAZAI_API_KEY to an API key ' +
    '(POST /api/v1/auth/api-keys).'
  );
}
