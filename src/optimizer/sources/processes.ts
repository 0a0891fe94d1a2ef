import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Linux's USER_HZ: /proc/<pid>/stat times are in these ticks on every mainstream kernel. */
const TICKS_PER_SECOND = 100;
const PAGE_SIZE = 4096;

export interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, seconds. */
  cpuSeconds: number;
  rssBytes: number;
}

export function parsePidStat(pid: number, text: string): ProcStat | undefined {
  // The command may contain spaces and parentheses: fields start after the last ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const f = text.slice(close + 2).split(' ');
  // f[0] is field 3 (state): utime is field 14, stime 15, rss 24.
  if (f[0] === 'Z' || f[0] === 'X') return undefined;
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  const rss = Number(f[21]);
  if (![utime, stime, rss].every(Number.isFinite)) return undefined;
  return {
    pid,
    ppid: Number(f[1]),
    cpuSeconds: (utime + stime) / TICKS_PER_SECOND,
    rssBytes: rss * PAGE_SIZE,
  };
}

/** One process; synchronous like the cgroup reads (kernel-generated files never block). */
export function readProcess(procRoot: string, pid: number): ProcStat | undefined {
  try {
    return parsePidStat(pid, readFileSync(path.join(procRoot, String(pid), 'stat'), 'utf8'));
  } catch {
    return undefined; // gone since the directory was listed
  }
}

/** Every live process under procRoot (one directory read, one small file per process). */
export function readAllProcesses(procRoot: string): ProcStat[] {
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  for (const e of entries) {
    const pid = Number(e);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const s = readProcess(procRoot, pid);
    if (s) out.push(s);
  }
  return out;
}

export interface TreeUsage {
  cpuSeconds: number;
  rssBytes: number;
  processes: number;
}

/** Sum over the roots and all their descendants (by ppid, whatever group they moved to). */
export function treeUsage(roots: readonly number[], procs: readonly ProcStat[]): TreeUsage | undefined {
  const byParent = new Map<number, ProcStat[]>();
  for (const p of procs) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const seen = new Set<number>();
  const queue = roots.map((r) => byPid.get(r)).filter((p): p is ProcStat => p !== undefined);
  if (queue.length === 0) return undefined;
  const out: TreeUsage = { cpuSeconds: 0, rssBytes: 0, processes: 0 };
  while (queue.length) {
    const p = queue.pop()!;
    if (seen.has(p.pid)) continue;
    seen.add(p.pid);
    out.cpuSeconds += p.cpuSeconds;
    out.rssBytes += p.rssBytes;
    out.processes++;
    queue.push(...(byParent.get(p.pid) ?? []));
  }
  return out;
}
