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
 * Cpusets that put the heaviest services on separate physical cores: services sorted by CPU use
 * (descending) each get the SMT siblings of one physical core, round-robin over sockets so the
 * two heaviest do not share a socket's cache when there is a choice; once every core is taken the
 * remaining services share the whole set (no cpuset). A suggestion, not an action.
 */
export function suggestCpusets(
  topology: Topology,
  services: ReadonlyArray<{ name: string; cpuCores: number }>,
): Array<{ name: string; cpus: number[] | null }> {
  const bySocket = new Map<number, PhysicalCore[]>();
  for (const c of topology.cores) bySocket.set(c.socket, [...(bySocket.get(c.socket) ?? []), c]);
  const order: PhysicalCore[] = [];
  const queues = [...bySocket.values()];
  while (queues.some((q) => q.length)) for (const q of queues) if (q.length) order.push(q.shift()!);
  return [...services]
    .sort((a, b) => b.cpuCores - a.cpuCores)
    .map((s, i) => ({ name: s.name, cpus: order[i] ? order[i]!.cpus : null }));
}
