import { readdirSync, readFileSync } from 'node:fs';

/**
 * Reads /proc (Linux). Used to sample the RSS of a server's process tree, to find every member of
 * a process group, and to find processes carrying our marker environment variable (which a
 * grandchild that left the group still inherits).
 */
export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  rssPages: number;
}

const PAGE_SIZE = 4096;

export function readStat(pid: number): ProcInfo | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name may contain spaces and parentheses: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    pid,
    state: rest[0] ?? '?',
    ppid: Number(rest[1]),
    pgid: Number(rest[2]),
    rssPages: Number(rest[21]),
  };
}

export function allPids(): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (Number.isInteger(pid) && pid > 0) out.push(pid);
  }
  return out;
}

/** Live (not zombie) processes; zombies hold no resources and cannot be killed further. */
export function liveProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const pid of allPids()) {
    const info = readStat(pid);
    if (info && info.state !== 'Z' && info.state !== 'X') out.push(info);
  }
  return out;
}

export function pidsInGroup(pgid: number, procs: ProcInfo[] = liveProcesses()): number[] {
  return procs.filter((p) => p.pgid === pgid).map((p) => p.pid);
}

/** The process and all its descendants (by ppid), whatever group they moved to. */
export function processTree(rootPid: number, procs: ProcInfo[] = liveProcesses()): ProcInfo[] {
  const byParent = new Map<number, ProcInfo[]>();
  for (const p of procs) {
    const list = byParent.get(p.ppid) ?? [];
    list.push(p);
    byParent.set(p.ppid, list);
  }
  const root = procs.find((p) => p.pid === rootPid);
  if (!root) return [];
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(byParent.get(out[i]!.pid) ?? []));
  return out;
}

export function treeRssBytes(rootPid: number, procs?: ProcInfo[]): number {
  return processTree(rootPid, procs).reduce((sum, p) => sum + p.rssPages * PAGE_SIZE, 0);
}

export function hasEnv(pid: number, name: string, value: string): boolean {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    return environ.split('\0').includes(`${name}=${value}`);
  } catch {
    return false;
  }
}

export const MARKER_ENV = 'SUTAZAI_MCP_MARKER';

/** Every live process (except ourselves) whose environment carries the given marker. */
export function pidsWithMarker(marker: string): number[] {
  return liveProcesses()
    .map((p) => p.pid)
    .filter((pid) => pid !== process.pid && hasEnv(pid, MARKER_ENV, marker));
}
