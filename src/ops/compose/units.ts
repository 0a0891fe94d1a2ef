import type { PublishedPort } from './model.js';

const UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Compose byte values: `512m`, `1g`, `256MB`, `1.5g`, or a plain number of bytes. */
export function parseBytes(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmgt])?b?\s*$/i.exec(value);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]!);
}

/** Renders bytes the way compose files usually write them (`256M`, `1G`). */
export function formatBytes(bytes: number): string {
  if (bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3}G`;
  if (bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2}M`;
  return `${Math.ceil(bytes / 1024)}K`;
}

export function parseCpus(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function range(spec: string): number[] {
  const [a, b] = spec.split('-').map(Number);
  if (a === undefined || !Number.isInteger(a)) return [];
  if (b === undefined) return [a];
  const out: number[] = [];
  for (let p = a; p <= b && out.length < 1024; p++) out.push(p);
  return out;
}

function parseShortPort(spec: string): PublishedPort[] {
  const [body = '', proto = 'tcp'] = spec.split('/');
  const protocol = proto === 'udp' ? 'udp' : 'tcp';
  // IPv6 host IPs are bracketed: [::1]:8080:80
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(body);
  const parts = v6 ? [v6[1]!, ...v6[2]!.split(':')] : body.split(':');
  if (parts.length === 1) return []; // container port only: not published on a fixed host port
  const [hostIp, hostSpec, containerSpec] =
    parts.length === 2 ? ['', parts[0]!, parts[1]!] : [parts[0]!, parts[1]!, parts[2]!];
  if (!hostSpec) return [];
  const hosts = range(hostSpec);
  const containers = range(containerSpec);
  return hosts.map((hostPort, i) => ({
    hostIp,
    hostPort,
    containerPort: containers[i] ?? containers[0] ?? hostPort,
    protocol,
  }));
}

/** Published host ports from a service's `ports` (short and long syntax). */
export function parsePorts(ports: unknown): PublishedPort[] {
  if (!Array.isArray(ports)) return [];
  return ports.flatMap((p): PublishedPort[] => {
    if (typeof p === 'number') return [];
    if (typeof p === 'string') return parseShortPort(p);
    if (p && typeof p === 'object') {
      const o = p as Record<string, unknown>;
      if (o.published === undefined || o.published === '') return [];
      return range(String(o.published)).map((hostPort) => ({
        hostIp: typeof o.host_ip === 'string' ? o.host_ip : '',
        hostPort,
        containerPort: Number(o.target),
        protocol: o.protocol === 'udp' ? 'udp' : 'tcp',
      }));
    }
    return [];
  });
}
