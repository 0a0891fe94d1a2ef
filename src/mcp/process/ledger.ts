import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { killGroup, killPids } from './kill.js';
import { liveProcesses, pidsInGroup, pidsWithMarker, readStat } from './proc.js';

/**
 * The ledger of process groups a gateway started: one JSON file per gateway under
 * `<dataDir>/mcp-ledger/`. It is rewritten (atomically) whenever a group starts or ends, so after
 * a crash of the gateway — even SIGKILL — the watchdog and the next start know exactly what to
 * kill. Every child also carries `SUTAZAI_MCP_MARKER=<marker>` in its environment, which catches
 * descendants that left the group (setsid).
 */
export interface LedgerEntry {
  pgid: number;
  server: string;
  startedAt: string;
}

export interface LedgerFile {
  ownerPid: number;
  /** /proc starttime of the owner, so a reused pid is not mistaken for a live gateway. */
  ownerStart: number;
  marker: string;
  groups: LedgerEntry[];
}

export function ledgerDir(dataDir: string): string {
  return path.join(dataDir, 'mcp-ledger');
}

function procStartTime(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return -1;
  }
}

export class Ledger {
  readonly file: string;
  private readonly data: LedgerFile;
  private discarded = false;

  constructor(
    dataDir: string,
    marker: string,
    /** Told the number of groups after every change (the orphan guard runs only while > 0). */
    private readonly onChange: (groups: number) => void = () => {},
  ) {
    mkdirSync(ledgerDir(dataDir), { recursive: true });
    this.file = path.join(ledgerDir(dataDir), `${process.pid}-${marker}.json`);
    this.data = { ownerPid: process.pid, ownerStart: procStartTime(process.pid), marker, groups: [] };
    this.flush();
  }

  add(entry: LedgerEntry): void {
    this.data.groups.push(entry);
    this.flush();
    this.onChange(this.data.groups.length);
  }

  remove(pgid: number): void {
    this.data.groups = this.data.groups.filter((g) => g.pgid !== pgid);
    this.flush();
    this.onChange(this.data.groups.length);
  }

  groups(): readonly LedgerEntry[] {
    return this.data.groups;
  }

  /** Called after a clean shutdown killed everything. */
  discard(): void {
    this.discarded = true;
    rmSync(this.file, { force: true });
  }

  private flush(): void {
    if (this.discarded) return;
    const tmp = `${this.file}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(this.data));
      renameSync(tmp, this.file);
    } catch {
      // The data dir went away; the marker scan still finds our children.
    }
  }
}

function ownerAlive(file: LedgerFile): boolean {
  if (file.ownerPid === process.pid) return false;
  return readStat(file.ownerPid) !== undefined && procStartTime(file.ownerPid) === file.ownerStart;
}

export interface ReapReport {
  files: number;
  killedGroups: number[];
  killedPids: number[];
}

/**
 * Kills what gateways that are no longer running left behind: every ledger group and every
 * process carrying their marker. Ledgers of a live gateway (another process on the same data dir)
 * are left alone. Run at start-up before anything is spawned.
 */
export async function reapLedger(dataDir: string, graceMs = 1000): Promise<ReapReport> {
  const report: ReapReport = { files: 0, killedGroups: [], killedPids: [] };
  let names: string[];
  try {
    names = readdirSync(ledgerDir(dataDir)).filter((n) => n.endsWith('.json'));
  } catch {
    return report;
  }
  for (const name of names) {
    const full = path.join(ledgerDir(dataDir), name);
    let file: LedgerFile;
    try {
      file = JSON.parse(readFileSync(full, 'utf8')) as LedgerFile;
    } catch {
      rmSync(full, { force: true });
      continue;
    }
    if (ownerAlive(file)) continue;
    report.files++;
    const procs = liveProcesses();
    const groups = file.groups.map((g) => g.pgid).filter((pgid) => pidsInGroup(pgid, procs).length > 0);
    const strays = pidsWithMarker(file.marker).filter((pid) => !groups.includes(readStat(pid)?.pgid ?? -1));
    await Promise.all(groups.map((pgid) => killGroup(pgid, graceMs)));
    if (strays.length > 0) await killPids(strays, graceMs);
    report.killedGroups.push(...groups);
    report.killedPids.push(...strays);
    rmSync(full, { force: true });
  }
  return report;
}
