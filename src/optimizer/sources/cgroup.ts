import { readFileSync } from 'node:fs';

/** One container's cumulative CPU and current memory, from its cgroup. */
export interface CgroupReading {
  /** Cumulative CPU time, seconds. */
  cpuSeconds: number;
  /** Usage minus inactive file pages: the working set, as `docker stats` and the kubelet count it. */
  workingSetBytes: number;
  /** 0 when unlimited. */
  limitBytes: number;
  version: 1 | 2;
}

/**
 * Synchronous on purpose: cgroup files are generated in memory by the kernel and never block, and
 * a sync read costs a fraction of the CPU of a promise round trip through the thread pool (the
 * sampler reads four per container per pass; bench/optimizer-sampler.ts).
 */
function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function statValue(stat: string, key: string): number {
  return Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(stat)?.[1] ?? 0);
}

/** A v1 limit of "no limit" is a huge page-rounded number (2^63 rounded down); treat it as none. */
const V1_UNLIMITED = 2 ** 60;

function readV2(dir: string): CgroupReading | undefined {
  const current = read(`${dir}/memory.current`);
  if (current === undefined) return undefined;
  const max = read(`${dir}/memory.max`);
  const stat = read(`${dir}/memory.stat`);
  const cpu = read(`${dir}/cpu.stat`);
  return {
    version: 2,
    cpuSeconds: statValue(cpu ?? '', 'usage_usec') / 1e6,
    workingSetBytes: Math.max(0, Number(current) - statValue(stat ?? '', 'inactive_file')),
    limitBytes: max === undefined || max === 'max' ? 0 : Number(max),
  };
}

function readV1(memoryDir: string, cpuDirs: readonly string[]): CgroupReading | undefined {
  const usage = read(`${memoryDir}/memory.usage_in_bytes`);
  if (usage === undefined) return undefined;
  const limit = read(`${memoryDir}/memory.limit_in_bytes`);
  const stat = read(`${memoryDir}/memory.stat`);
  let cpuNs = 0;
  for (const dir of cpuDirs) {
    const v = read(`${dir}/cpuacct.usage`);
    if (v !== undefined) {
      cpuNs = Number(v);
      break;
    }
  }
  const limitBytes = Number(limit ?? 0);
  return {
    version: 1,
    cpuSeconds: cpuNs / 1e9,
    workingSetBytes: Math.max(0, Number(usage) - statValue(stat ?? '', 'total_inactive_file')),
    limitBytes: limitBytes >= V1_UNLIMITED ? 0 : limitBytes,
  };
}

type Location = { version: 2; dir: string } | { version: 1; memory: string; cpu: readonly string[] };

function candidates(id: string, root: string): Location[] {
  return [
    { version: 2, dir: `${root}/system.slice/docker-${id}.scope` },
    { version: 2, dir: `${root}/docker/${id}` },
    ...[
      [`memory/docker/${id}`, `docker/${id}`],
      [`memory/system.slice/docker-${id}.scope`, `system.slice/docker-${id}.scope`],
    ].map(([mem, cpu]): Location => ({
      version: 1,
      memory: `${root}/${mem}`,
      cpu: [`${root}/cpuacct/${cpu}`, `${root}/cpu,cpuacct/${cpu}`],
    })),
  ];
}

const readAt = (l: Location) => (l.version === 2 ? readV2(l.dir) : readV1(l.memory, l.cpu));

/**
 * Reads a container's cgroup directly (cgroupfs or systemd driver, v2 or v1). The engine's stats
 * endpoint takes about a second per container; these files take microseconds. Undefined when no
 * known path exists (a remote engine, or a tree this process cannot see): the caller then asks
 * the engine. `cache` remembers where each container was found, so later passes read one place.
 */
export function readContainerCgroup(
  id: string,
  root: string,
  cache?: Map<string, Location | null>,
): CgroupReading | undefined {
  const known = cache?.get(id);
  if (known === null) return undefined;
  if (known) {
    const r = readAt(known);
    if (r) return r;
  }
  for (const l of candidates(id, root)) {
    const r = readAt(l);
    if (r) {
      cache?.set(id, l);
      return r;
    }
  }
  cache?.set(id, null);
  return undefined;
}

export type CgroupLocations = Map<string, Location | null>;
