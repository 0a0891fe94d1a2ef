import { readFile, statfs } from 'node:fs/promises';
import path from 'node:path';

/** Cumulative jiffies of one CPU line of /proc/stat. */
export interface CpuTimes {
  busy: number;
  total: number;
}

/** Per-core CPU times from /proc/stat (`cpu0`, `cpu1`, …; the aggregate `cpu` line is skipped). */
export function parseProcStat(text: string): Map<string, CpuTimes> {
  const out = new Map<string, CpuTimes>();
  for (const line of text.split('\n')) {
    const m = /^(cpu\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already inside user/nice).
    const total = f.slice(0, 8).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    out.set(m[1]!, { busy: total - idle, total });
  }
  return out;
}

export interface HostMemory {
  totalBytes: number;
  /** Total minus MemAvailable: what cannot be reclaimed without swapping. */
  usedBytes: number;
}

export function parseMeminfo(text: string): HostMemory | undefined {
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb('MemTotal');
  if (total === undefined) return undefined;
  const available = kb('MemAvailable') ?? (kb('MemFree') ?? 0) + (kb('Cached') ?? 0);
  return { totalBytes: total, usedBytes: Math.max(0, total - available) };
}

export interface Pressure {
  some: number;
  full?: number;
}

/** /proc/pressure/{cpu,memory,io}: the avg10 percentages. */
export function parsePressure(text: string): Pressure | undefined {
  const avg = (kind: string) => {
    const m = new RegExp(`^${kind} avg10=([\\d.]+)`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const some = avg('some');
  if (some === undefined) return undefined;
  const full = avg('full');
  return full === undefined ? { some } : { some, full };
}

export interface HostReading {
  cpus: Map<string, CpuTimes>;
  memory?: HostMemory;
  pressure: Partial<Record<'cpu' | 'memory' | 'io', Pressure>>;
  disk?: { usedBytes: number; totalBytes: number };
}

const read = (file: string) => readFile(file, 'utf8').catch(() => undefined);

/** Everything host-wide in one pass; files that are missing (no PSI on older kernels) are left out. */
export async function readHost(procRoot: string, dataDir: string): Promise<HostReading> {
  const [stat, meminfo, ...psi] = await Promise.all([
    read(path.join(procRoot, 'stat')),
    read(path.join(procRoot, 'meminfo')),
    ...(['cpu', 'memory', 'io'] as const).map((k) => read(path.join(procRoot, 'pressure', k))),
  ]);
  const pressure: HostReading['pressure'] = {};
  (['cpu', 'memory', 'io'] as const).forEach((k, i) => {
    const p = psi[i] === undefined ? undefined : parsePressure(psi[i]!);
    if (p) pressure[k] = p;
  });
  const memory = meminfo ? parseMeminfo(meminfo) : undefined;
  const disk = await statfs(dataDir)
    .then((s) => ({ totalBytes: s.blocks * s.bsize, usedBytes: (s.blocks - s.bavail) * s.bsize }))
    .catch(() => undefined);
  return {
    cpus: stat ? parseProcStat(stat) : new Map(),
    pressure,
    ...(memory ? { memory } : {}),
    ...(disk ? { disk } : {}),
  };
}
