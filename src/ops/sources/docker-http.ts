import http from 'node:http';
import {
  DockerApiError,
  type ContainerInspect,
  type ContainerSummary,
  type ContainerUpdate,
  type DockerClient,
  type DockerEvent,
  type EventFilter,
  type ImageSummary,
  type MemoryStats,
  type NetworkSummary,
  type VolumeSummary,
} from './docker-types.js';

/** Oldest and newest Engine API versions this client speaks; the server's version is clamped. */
export const MIN_API_VERSION = '1.41';
export const MAX_API_VERSION = '1.47';

export interface HttpDockerOptions {
  /** `unix:///var/run/docker.sock` or `tcp://host:port`; defaults to DOCKER_HOST or the socket. */
  host?: string;
  /** Per-call timeout. */
  timeoutMs?: number;
}

interface Endpoint {
  socketPath?: string;
  hostname?: string;
  port?: number;
}

function parseHost(host: string): Endpoint {
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('tcp://') || host.startsWith('http://')) {
    const url = new URL(host.replace(/^tcp:/, 'http:'));
    return { hostname: url.hostname, port: Number(url.port || 2375) };
  }
  if (host.startsWith('/')) return { socketPath: host };
  throw new DockerApiError(0, `unsupported DOCKER_HOST ${host} (use unix:// or tcp://)`);
}

function cmpVersion(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}

/** Chooses the API version to speak: the server's, capped at ours; refuses servers older than 1.41. */
export function negotiateApiVersion(server: string): string {
  if (cmpVersion(server, MIN_API_VERSION) < 0)
    throw new DockerApiError(0, `Docker API ${server} is older than ${MIN_API_VERSION}`);
  return cmpVersion(server, MAX_API_VERSION) > 0 ? MAX_API_VERSION : server;
}

interface RequestOptions {
  query?: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
  signal?: AbortSignal;
  onChunk?: (chunk: string) => void;
}

/** A thin typed Engine API client over node:http; every call has a timeout. */
export class HttpDockerClient implements DockerClient {
  private readonly endpoint: Endpoint;
  private readonly timeoutMs: number;
  private apiVersion: string | undefined;

  constructor(options: HttpDockerOptions = {}) {
    this.endpoint = parseHost(options.host ?? process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock');
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  private raw(
    method: string,
    path: string,
    opts: RequestOptions = {},
  ): Promise<{ status: number; text: string }> {
    const qs = opts.query ? `?${new URLSearchParams(opts.query).toString()}` : '';
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          ...this.endpoint,
          method,
          path: `${path}${qs}`,
          headers: body
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
            : {},
          timeout: opts.timeoutMs ?? this.timeoutMs,
          signal: opts.signal,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (opts.onChunk && (res.statusCode ?? 500) < 300) opts.onChunk(chunk);
            else text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new DockerApiError(0, `${method} ${path} timed out`)));
      req.on('error', (err) =>
        reject(
          err instanceof DockerApiError ? err : new DockerApiError(0, `${method} ${path}: ${err.message}`),
        ),
      );
      req.end(body);
    });
  }

  private async call<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const version = this.apiVersion ?? (await this.version()).apiVersion;
    const { status, text } = await this.raw(method, `/v${version}${path}`, opts);
    if (status >= 300) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        /* plain text body */
      }
      throw new DockerApiError(status, `${method} ${path}: ${status} ${message.trim()}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async version(): Promise<{ apiVersion: string; engineVersion: string }> {
    const { status, text } = await this.raw('GET', '/version');
    if (status !== 200) throw new DockerApiError(status, `GET /version: ${status}`);
    const v = JSON.parse(text) as { ApiVersion: string; Version: string };
    this.apiVersion = negotiateApiVersion(v.ApiVersion);
    return { apiVersion: this.apiVersion, engineVersion: v.Version };
  }

  listContainers(opts: {
    all: boolean;
    nameFilter?: string;
    labelFilter?: string[];
  }): Promise<ContainerSummary[]> {
    const filters: Record<string, string[]> = {};
    if (opts.nameFilter) filters.name = [opts.nameFilter];
    if (opts.labelFilter?.length) filters.label = opts.labelFilter;
    return this.call('GET', '/containers/json', {
      query: { all: String(opts.all), filters: JSON.stringify(filters) },
    });
  }

  inspectContainer(id: string): Promise<ContainerInspect> {
    return this.call('GET', `/containers/${encodeURIComponent(id)}/json`);
  }

  async events(opts: { since: number; until: number; filters?: EventFilter }): Promise<DockerEvent[]> {
    const version = this.apiVersion ?? (await this.version()).apiVersion;
    const query = {
      since: String(opts.since),
      until: String(opts.until),
      filters: JSON.stringify(opts.filters ?? {}),
    };
    const res = await this.raw('GET', `/v${version}/events`, { query });
    if (res.status >= 300)
      throw new DockerApiError(res.status, `GET /events: ${res.status} ${res.text.trim()}`);
    return parseNdjson(res.text);
  }

  async streamEvents(
    filters: EventFilter,
    onEvent: (e: DockerEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const version = this.apiVersion ?? (await this.version()).apiVersion;
    let buffer = '';
    await this.raw('GET', `/v${version}/events`, {
      query: { filters: JSON.stringify(filters) },
      timeoutMs: 0,
      signal,
      onChunk: (chunk) => {
        buffer += chunk;
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const event of parseNdjson(lines.join('\n'))) onEvent(event);
      },
    }).catch((err: unknown) => {
      if (!signal.aborted) throw err;
    });
  }

  danglingImages(): Promise<ImageSummary[]> {
    return this.call('GET', '/images/json', { query: { filters: JSON.stringify({ dangling: ['true'] }) } });
  }

  async danglingVolumes(): Promise<VolumeSummary[]> {
    const res = await this.call<{ Volumes: VolumeSummary[] | null }>('GET', '/volumes', {
      query: { filters: JSON.stringify({ dangling: ['true'] }) },
    });
    const volumes = res.Volumes ?? [];
    if (volumes.length === 0) return volumes;
    // Sizes are only computed by /system/df; ask once, and only when there is something to size.
    const df = await this.call<{ Volumes?: VolumeSummary[] | null }>('GET', '/system/df', {
      timeoutMs: 30_000,
    });
    const sizes = new Map((df.Volumes ?? []).map((v) => [v.Name, v.UsageData]));
    return volumes.map((v) => ({ ...v, UsageData: sizes.get(v.Name) ?? v.UsageData ?? null }));
  }

  async danglingNetworks(): Promise<NetworkSummary[]> {
    const nets = await this.call<NetworkSummary[]>('GET', '/networks', {
      query: { filters: JSON.stringify({ dangling: ['true'] }) },
    });
    return nets.filter((n) => !['bridge', 'host', 'none'].includes(n.Name));
  }

  async memoryStats(id: string): Promise<MemoryStats | undefined> {
    const s = await this.call<{
      memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
      cpu_stats?: { cpu_usage?: { total_usage?: number } };
    }>('GET', `/containers/${encodeURIComponent(id)}/stats`, {
      query: { stream: 'false', 'one-shot': 'true' },
    });
    const m = s.memory_stats;
    if (!m?.usage || !m.limit) return undefined;
    // Like `docker stats`: page cache is reclaimable, so it does not count as pressure.
    const cache = m.stats?.total_inactive_file ?? m.stats?.inactive_file ?? 0;
    const cpuNs = s.cpu_stats?.cpu_usage?.total_usage;
    return {
      usage: m.usage - cache,
      limit: m.limit,
      ...(typeof cpuNs === 'number' ? { cpuSeconds: cpuNs / 1e9 } : {}),
    };
  }

  async updateContainer(id: string, update: ContainerUpdate): Promise<void> {
    await this.call('POST', `/containers/${encodeURIComponent(id)}/update`, { body: update });
  }

  async removeContainer(id: string, opts: { force: boolean; removeVolumes?: boolean }): Promise<void> {
    await this.call('DELETE', `/containers/${encodeURIComponent(id)}`, {
      query: { force: String(opts.force), ...(opts.removeVolumes ? { v: 'true' } : {}) },
    });
  }

  async startContainer(id: string): Promise<void> {
    await this.call('POST', `/containers/${encodeURIComponent(id)}/start`).catch((err: unknown) => {
      if (!(err instanceof DockerApiError && err.status === 304)) throw err;
    });
  }

  async stopContainer(id: string, timeoutSeconds = 10): Promise<void> {
    await this.call('POST', `/containers/${encodeURIComponent(id)}/stop`, {
      query: { t: String(timeoutSeconds) },
      timeoutMs: this.timeoutMs + timeoutSeconds * 1000,
    }).catch((err: unknown) => {
      if (!(err instanceof DockerApiError && err.status === 304)) throw err;
    });
  }

  async renameContainer(id: string, name: string): Promise<void> {
    await this.call('POST', `/containers/${encodeURIComponent(id)}/rename`, { query: { name } });
  }

  async createContainer(
    name: string,
    body: Record<string, unknown>,
    opts: { timeoutMs?: number } = {},
  ): Promise<string> {
    const res = await this.call<{ Id: string }>('POST', '/containers/create', {
      query: { name },
      body,
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    });
    return res.Id;
  }

  async restartContainer(id: string, timeoutSeconds = 10): Promise<void> {
    await this.call('POST', `/containers/${encodeURIComponent(id)}/restart`, {
      query: { t: String(timeoutSeconds) },
      timeoutMs: this.timeoutMs + timeoutSeconds * 1000,
    });
  }

  async removeImage(id: string): Promise<void> {
    // No force: the engine refuses an image a container still uses.
    await this.call('DELETE', `/images/${encodeURIComponent(id)}`);
  }

  inspectVolume(name: string): Promise<VolumeSummary> {
    return this.call('GET', `/volumes/${encodeURIComponent(name)}`);
  }

  async removeVolume(name: string): Promise<void> {
    // No force: the engine refuses a volume a container still uses.
    await this.call('DELETE', `/volumes/${encodeURIComponent(name)}`);
  }

  async createVolume(spec: {
    Name: string;
    Driver?: string;
    Labels?: Record<string, string>;
    DriverOpts?: Record<string, string>;
  }): Promise<void> {
    await this.call('POST', '/volumes/create', { body: spec });
  }

  async removeNetwork(idOrName: string): Promise<void> {
    await this.call('DELETE', `/networks/${encodeURIComponent(idOrName)}`);
  }

  async listImageIds(): Promise<string[]> {
    const images = await this.call<ImageSummary[]>('GET', '/images/json');
    return images.map((i) => i.Id);
  }

  async getArchive(id: string, path: string): Promise<Buffer> {
    const version = this.apiVersion ?? (await this.version()).apiVersion;
    const res = await this.binary('GET', `/v${version}/containers/${encodeURIComponent(id)}/archive`, {
      path,
    });
    if (res.status >= 300)
      throw new DockerApiError(
        res.status,
        `GET archive ${path}: ${res.status} ${res.body.toString().trim()}`,
      );
    return res.body;
  }

  async putArchive(id: string, path: string, tar: Buffer): Promise<void> {
    const version = this.apiVersion ?? (await this.version()).apiVersion;
    const res = await this.binary(
      'PUT',
      `/v${version}/containers/${encodeURIComponent(id)}/archive`,
      { path },
      tar,
    );
    if (res.status >= 300)
      throw new DockerApiError(
        res.status,
        `PUT archive ${path}: ${res.status} ${res.body.toString().trim()}`,
      );
  }

  /** A request with a binary body and response (tar archives), under the same timeout. */
  private binary(
    method: string,
    path: string,
    query: Record<string, string>,
    body?: Buffer,
  ): Promise<{ status: number; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          ...this.endpoint,
          method,
          path: `${path}?${new URLSearchParams(query).toString()}`,
          headers: body ? { 'content-type': 'application/x-tar', 'content-length': body.length } : {},
          timeout: Math.max(this.timeoutMs, 60_000),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new DockerApiError(0, `${method} ${path} timed out`)));
      req.on('error', (err) =>
        reject(
          err instanceof DockerApiError ? err : new DockerApiError(0, `${method} ${path}: ${err.message}`),
        ),
      );
      req.end(body);
    });
  }
}

function parseNdjson(text: string): DockerEvent[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as DockerEvent);
}
