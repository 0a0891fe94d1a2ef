import { formatCpuList, suggestCpusets, type Topology } from '../topology.js';
import type { CpusetSuggestion, PlacementInput } from './types.js';

/**
 * Cpusets for the containers whose p95 CPU use reaches `pinMinCores`, heaviest first, each on
 * physical cores of its own (topology.suggestCpusets), with the reason in words. Without an engine
 * the candidates are the containers that have CPU history in the window.
 */
export function placementSuggestion(input: PlacementInput): CpusetSuggestion[] {
  const t = input.thresholds;
  const names = input.containers ? input.containers.map((c) => c.name) : [...input.containerUsage.keys()];
  const candidates = names
    .map((name) => ({ name, usage: input.containerUsage.get(name) }))
    .filter((c) => c.usage && c.usage.samples >= t.minSamples && c.usage.p95 >= t.pinMinCores)
    .map((c) => ({ name: c.name, cpuCores: c.usage!.p95 }));
  const byName = new Map(candidates.map((c) => [c.name, c.cpuCores]));
  return suggestCpusets(input.topology, candidates).map((s, rank) => {
    const use = `p95 ${byName.get(s.name)!.toFixed(2)} cores`;
    if (!s.cpus)
      return {
        target: s.name,
        cpuset: '',
        reason: `Leave unpinned (${use}): no socket has enough free physical cores left for it alone.`,
      };
    return {
      target: s.name,
      cpuset: formatCpuList(s.cpus),
      reason: `Heaviest #${rank + 1} (${use}): ${describeCores(input.topology, s.cpus)} to itself, apart from the other heavy services.`,
    };
  });
}

function describeCores(topology: Topology, cpus: number[]): string {
  const cores = topology.cores.filter((c) => c.cpus.some((cpu) => cpus.includes(cpu)));
  const nodes = [...new Set(cpus.map((cpu) => nodeOf(topology, cpu)))];
  const list = cores.map((c) => `${c.socket}:${c.core}`).join(', ');
  return `physical core${cores.length > 1 ? 's' : ''} ${list} (CPUs ${formatCpuList(cpus)}, NUMA node ${nodes.join(', ')})`;
}

/** The NUMA node holding a CPU; 0 when the host reports none. */
export function nodeOf(topology: Topology, cpu: number): number {
  return topology.numaNodes.find((n) => n.cpus.includes(cpu))?.node ?? 0;
}
