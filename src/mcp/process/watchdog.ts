import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The orphan watchdog: a tiny Node process, in its own process group, whose stdin is a pipe from
 * the gateway. When the gateway dies for any reason (even SIGKILL) the pipe closes; the watchdog
 * then reads the gateway's ledger and kills every group in it, plus every process carrying the
 * gateway's marker, and exits. On a clean close the ledger is already empty.
 *
 * The source is inlined (run with `node -e`) so it works the same from `src/` under tsx and from
 * `dist/`, and loads nothing but `fs`.
 */
const SOURCE = String.raw`
const fs = require('fs');
const [ledgerFile, marker, graceArg] = process.argv.slice(1);
const grace = Number(graceArg) || 2000;
function live() {
  const out = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const t = fs.readFileSync('/proc/' + e + '/stat', 'utf8');
      const f = t.slice(t.lastIndexOf(')') + 2).split(' ');
      if (f[0] !== 'Z' && f[0] !== 'X') out.push({ pid: Number(e), pgid: Number(f[2]) });
    } catch {}
  }
  return out;
}
function marked(pid) {
  try { return fs.readFileSync('/proc/' + pid + '/environ', 'latin1').split('\0').includes('SUTAZAI_MCP_MARKER=' + marker); }
  catch { return false; }
}
function targets() {
  let groups = [];
  try { groups = JSON.parse(fs.readFileSync(ledgerFile, 'utf8')).groups.map((g) => g.pgid); } catch {}
  const procs = live().filter((p) => p.pid !== process.pid);
  return procs.filter((p) => groups.includes(p.pgid) || marked(p.pid)).map((p) => p.pid);
}
function kill(sig) {
  const pids = targets();
  for (const pid of pids) { try { process.kill(pid, sig); } catch {} }
  return pids.length;
}
function reap() {
  if (kill('SIGTERM') === 0) return done();
  const until = Date.now() + grace;
  const tick = () => {
    if (targets().length === 0) return done();
    if (Date.now() >= until) { kill('SIGKILL'); return setTimeout(done, 100); }
    setTimeout(tick, 50);
  };
  tick();
}
function done() {
  if (targets().length === 0) { try { fs.rmSync(ledgerFile, { force: true }); } catch {} }
  process.exit(0);
}
process.stdin.on('data', () => {});
process.stdin.on('end', reap);
process.stdin.on('close', reap);
process.stdin.on('error', reap);
`;

export interface Watchdog {
  pid: number | undefined;
  /** Clean shutdown: close the pipe; the watchdog reaps an (empty) ledger and exits. */
  stop(): void;
}

export function startWatchdog(ledgerFile: string, marker: string, graceMs: number): Watchdog {
  const env = { ...process.env };
  delete env.SUTAZAI_MCP_MARKER;
  delete env.NODE_OPTIONS;
  const child: ChildProcess = spawn(process.execPath, ['-e', SOURCE, ledgerFile, marker, String(graceMs)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
    env,
  });
  child.unref();
  const stdin = child.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
  stdin?.on('error', () => {});
  stdin?.unref?.();
  return {
    pid: child.pid,
    stop: () => stdin?.end(),
  };
}
