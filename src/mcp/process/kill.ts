import { liveProcesses, pidsInGroup } from './proc.js';

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Kills a whole process group: SIGTERM, wait up to `graceMs` for it to empty, then SIGKILL.
 * `extraPids` (e.g. descendants that moved to another group) get the same treatment.
 */
export async function killGroup(pgid: number, graceMs: number, extraPids: number[] = []): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  for (const pid of extraPids) signalPid(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    const procs = liveProcesses();
    const alive =
      pidsInGroup(pgid, procs).length + extraPids.filter((p) => procs.some((q) => q.pid === p)).length;
    if (alive === 0) return;
    await sleep(Math.min(50, graceMs));
  }
  signalGroup(pgid, 'SIGKILL');
  for (const pid of extraPids) signalPid(pid, 'SIGKILL');
}

/** Synchronous last resort for process exit handlers: SIGKILL without waiting. */
export function killGroupNow(pgid: number): void {
  signalGroup(pgid, 'SIGKILL');
}

/** SIGTERM the given processes, SIGKILL whatever is left after `graceMs`. */
export async function killPids(pids: number[], graceMs: number): Promise<void> {
  for (const pid of pids) signalPid(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    const procs = liveProcesses();
    if (!pids.some((p) => procs.some((q) => q.pid === p))) return;
    await sleep(50);
  }
  for (const pid of pids) signalPid(pid, 'SIGKILL');
}
