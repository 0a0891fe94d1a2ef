import type { DockerClient } from '../../ops/sources/docker-types.js';
import { readContainerCgroup, type CgroupLocations } from './cgroup.js';

export interface ContainerReading {
  id: string;
  name: string;
  cpuSeconds?: number;
  workingSetBytes: number;
  /** 0 when unlimited. */
  limitBytes: number;
  source: 'cgroup-v1' | 'cgroup-v2' | 'engine';
}

/**
 * Every running container: one list call to the engine, then the cgroup files (or, when they are
 * not visible, the engine's one-shot stats, about a second each, so fewer containers per pass).
 * A container that vanished between the list and its read is left out.
 */
export async function readContainers(
  docker: DockerClient,
  cgroupRoot: string,
  locations: CgroupLocations = new Map(),
): Promise<ContainerReading[]> {
  const list = await docker.listContainers({ all: false });
  // Forget containers that are gone, so the cache stays as large as the running set.
  const running = new Set(list.map((c) => c.Id));
  for (const id of locations.keys()) if (!running.has(id)) locations.delete(id);
  const out: ContainerReading[] = [];
  for (const c of list) {
    const name = (c.Names[0] ?? c.Id.slice(0, 12)).replace(/^\//, '');
    const cg = readContainerCgroup(c.Id, cgroupRoot, locations);
    if (cg) {
      out.push({
        id: c.Id,
        name,
        cpuSeconds: cg.cpuSeconds,
        workingSetBytes: cg.workingSetBytes,
        limitBytes: cg.limitBytes,
        source: cg.version === 2 ? 'cgroup-v2' : 'cgroup-v1',
      });
      continue;
    }
    const stats = await docker.memoryStats(c.Id).catch(() => undefined);
    if (!stats) continue;
    out.push({
      id: c.Id,
      name,
      ...(stats.cpuSeconds !== undefined ? { cpuSeconds: stats.cpuSeconds } : {}),
      workingSetBytes: stats.usage,
      // The engine reports the host's memory as the limit of an unlimited container.
      limitBytes: stats.limit,
      source: 'engine',
    });
  }
  return out;
}
