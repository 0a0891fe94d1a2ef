import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The host's CPU topology from /sys/devices/system/cpu: which logical CPUs are SMT siblings of
 * one physical core, on which socket, in which NUMA node. The placement rule (issue 12 item 5)
 * suggests cpusets from it; this module only reads and groups.
 */
export interface PhysicalCore {
  socket: number;
  core: number;
  /** Logical CPUs of this core (SMT siblings), ascending. */
  cpus: number[];
}

export interface Topology {
  logicalCpus: number[];
  sockets: number;
  cores: PhysicalCore[];
  numaNodes: Array<{ node: number; cpus: number[] }>;
}

/** Linux CPU list syntax: `0-3,8,10-11`. */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',').filter(Boolean)) {
    const [a, b] = part.split('-').map(Number);
    if (!Number.isInteger(a)) continue;
    const end = Number.isInteger(b) ? b! : a!;
    for (let c = a!; c <= end; c++) out.push(c);
  }
  return [...new Set(out)].sort((x, y) => x - y);
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function readTopology(sysRoot: string): Topology {
  const base = path.join(sysRoot, 'devices', 'system', 'cpu');
  const online = read(path.join(base, 'online'));
  const logicalCpus = online
    ? parseCpuList(online)
    : readdirSync(base)
        .map((e) => /^cpu(\d+)$/.exec(e)?.[1])
        .filter((n): n is string => n !== undefined)
        .map(Number)
        .sort((a, b) => a - b);
  const cores = new Map<string, PhysicalCore>();
  for (const cpu of logicalCpus) {
    const topo = path.join(base, `cpu${cpu}`, 'topology');
    const socket = Number(read(path.join(topo, 'physical_package_id')) ?? 0);
    const core = Number(read(path.join(topo, 'core_id')) ?? cpu);
    const key = `${socket}:${core}`;
    const entry = cores.get(key) ?? { socket, core, cpus: [] };
    entry.cpus.push(cpu);
    cores.set(key, entry);
  }
  const list = [...cores.values()].sort((a, b) => a.socket - b.socket || a.core - b.core);
  return {
    logicalCpus,
    sockets: new Set(list.map((c) => c.socket)).size,
    cores: list,
    numaNodes: readNuma(sysRoot),
  };
}

function readNuma(sysRoot: string): Topology['numaNodes'] {
  const dir = path.join(sysRoot, 'devices', 'system', 'node');
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries
    .map((e) => /^node(\d+)$/.exec(e)?.[1])
    .filter((n): n is string => n !== undefined)
    .map((n) => ({ node: Number(n), cpus: parseCpuList(read(path.join(dir, `node${n}`, 'cpulist')) ?? '') }))
    .sort((a, b) => a.node - b.node);
}

/**
 * Cpusets that put the heaviest services on separate physical cores. Services sorted by CPU use
 * (descending) each get as many whole physical cores (all their SMT siblings) as their use needs,
 * at least one, from the socket with the most free cores (ties: the socket used least recently),
 * so the two heaviest do not share a socket's cache when there is a choice and a service needing
 * several cores stays on one socket (NUMA node). A service that would need every core, or for
 * which no socket has enough free cores left, gets null: leave it unpinned. A suggestion, not an
 * action.
 */
export function suggestCpusets(
  topology: Topology,
  services: ReadonlyArray<{ name: string; cpuCores: number }>,
): Array<{ name: string; cpus: number[] | null }> {
  const free = new Map<number, PhysicalCore[]>();
  for (const c of topology.cores) free.set(c.socket, [...(free.get(c.socket) ?? []), c]);
  const lastUsed = new Map<number, number>();
  const threads = Math.max(1, topology.cores[0]?.cpus.length ?? 1);
  return [...services]
    .sort((a, b) => b.cpuCores - a.cpuCores)
    .map((s, step) => {
      const need = Math.max(1, Math.ceil(s.cpuCores / threads));
      if (need >= topology.cores.length) return { name: s.name, cpus: null };
      const socket = [...free.entries()]
        .filter(([, cores]) => cores.length >= need)
        .sort(
          ([sa, a], [sb, b]) =>
            b.length - a.length || (lastUsed.get(sa) ?? -1) - (lastUsed.get(sb) ?? -1) || sa - sb,
        )[0];
      if (!socket) return { name: s.name, cpus: null };
      lastUsed.set(socket[0], step);
      const taken = socket[1].splice(0, need);
      return { name: s.name, cpus: taken.flatMap((c) => c.cpus).sort((x, y) => x - y) };
    });
}

/** The inverse of parseCpuList: `[0, 1, 2, 4]` → `0-2,4`. */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i]!;
    while (sorted[i + 1] === sorted[i]! + 1) i++;
    parts.push(start === sorted[i] ? `${start}` : `${start}-${sorted[i]}`);
  }
  return parts.join(',');
}
