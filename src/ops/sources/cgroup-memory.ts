import { readFile } from 'node:fs/promises';
import type { MemoryStats } from './docker-types.js';

/**
 * Reads a container's memory use straight from its cgroup when the host's cgroup tree is visible
 * (cgroupfs or systemd driver, v1 or v2). The Engine's stats endpoint publishes about once a
 * second per container, so 100 containers would cost seconds; the files cost microseconds.
 * Returns undefined when none of the known paths exist (then the caller asks the engine).
 */
export async function readCgroupMemory(
  id: string,
  root = '/sys/fs/cgroup',
): Promise<MemoryStats | undefined> {
  const candidates: Array<{ usage: string; limit: string; stat: string; inactive: string }> = [
    {
      usage: `${root}/memory/docker/${id}/memory.usage_in_bytes`,
      limit: `${root}/memory/docker/${id}/memory.limit_in_bytes`,
      stat: `${root}/memory/docker/${id}/memory.stat`,
      inactive: 'total_inactive_file',
    },
    {
      usage: `${root}/memory/system.slice/docker-${id}.scope/memory.usage_in_bytes`,
      limit: `${root}/memory/system.slice/docker-${id}.scope/memory.limit_in_bytes`,
      stat: `${root}/memory/system.slice/docker-${id}.scope/memory.stat`,
      inactive: 'total_inactive_file',
    },
    {
      usage: `${root}/system.slice/docker-${id}.scope/memory.current`,
      limit: `${root}/system.slice/docker-${id}.scope/memory.max`,
      stat: `${root}/system.slice/docker-${id}.scope/memory.stat`,
      inactive: 'inactive_file',
    },
    {
      usage: `${root}/docker/${id}/memory.current`,
      limit: `${root}/docker/${id}/memory.max`,
      stat: `${root}/docker/${id}/memory.stat`,
      inactive: 'inactive_file',
    },
  ];
  for (const c of candidates) {
    const usage = await readFile(c.usage, 'utf8').catch(() => undefined);
    if (usage === undefined) continue;
    const limitText = (await readFile(c.limit, 'utf8').catch(() => 'max')).trim();
    const stat = await readFile(c.stat, 'utf8').catch(() => '');
    const inactive = Number(new RegExp(`^${c.inactive} (\\d+)$`, 'm').exec(stat)?.[1] ?? 0);
    const limit = limitText === 'max' ? 0 : Number(limitText);
    return { usage: Math.max(0, Number(usage.trim()) - inactive), limit };
  }
  return undefined;
}
