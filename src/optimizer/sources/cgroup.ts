import { readFile } from 'node:fs/promises';

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

const read = (file: string) =>
  readFile(file, 'utf8').then(
    (t) => t.trim(),
    () => undefined,
  );

function statValue(stat: string, key: string): number {
  return Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(stat)?.[1] ?? 0);
}

/** A v1 limit of "no limit" is a huge page-rounded number (2^63 rounded down); treat it as none. */
const V1_UNLIMITED = 2 ** 60;

async function readV2(dir: string): Promise<CgroupReading | undefined> {
  const current = await read(`${dir}/memory.current`);
  if (current === undefined) return undefined;
  const [max, stat, cpu] = await Promise.all([
    read(`${dir}/memory.max`),
    read(`${dir}/memory.stat`),
    read(`${dir}/cpu.stat`),
  ]);
  return {
    version: 2,
    cpuSeconds: statValue(cpu ?? '', 'usage_usec') / 1e6,
    workingSetBytes: Math.max(0, Number(current) - statValue(stat ?? '', 'inactive_file')),
    limitBytes: max === undefined || max === 'max' ? 0 : Number(max),
  };
}

async function readV1(memoryDir: string, cpuDirs: string[]): Promise<CgroupReading | undefined> {
  const usage = await read(`${memoryDir}/memory.usage_in_bytes`);
  if (usage === undefined) return undefined;
  const [limit, stat] = await Promise.all([
    read(`${memoryDir}/memory.limit_in_bytes`),
    read(`${memoryDir}/memory.stat`),
  ]);
  let cpuNs = 0;
  for (const dir of cpuDirs) {
    const v = await read(`${dir}/cpuacct.usage`);
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

/**
 * Reads a container's cgroup directly (cgroupfs or systemd driver, v2 or v1). The engine's stats
 * endpoint takes about a second per container; these files take microseconds. Undefined when no
 * known path exists (a remote engine, or a tree this process cannot see): the caller then asks
 * the engine.
 */
export async function readContainerCgroup(id: string, root: string): Promise<CgroupReading | undefined> {
  for (const dir of [`${root}/system.slice/docker-${id}.scope`, `${root}/docker/${id}`]) {
    const v2 = await readV2(dir);
    if (v2) return v2;
  }
  for (const [mem, cpu] of [
    [`memory/docker/${id}`, `docker/${id}`],
    [`memory/system.slice/docker-${id}.scope`, `system.slice/docker-${id}.scope`],
  ] as const) {
    const v1 = await readV1(`${root}/${mem}`, [`${root}/cpuacct/${cpu}`, `${root}/cpu,cpuacct/${cpu}`]);
    if (v1) return v1;
  }
  return undefined;
}
