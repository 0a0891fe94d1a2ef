import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The orphan watchdog: a POSIX shell script (about 1 MB of memory where a Node process took 41),
 * in its own process group, whose stdin is a pipe from the gateway. When the gateway dies for any
 * reason (even SIGKILL) the pipe closes; the watchdog then kills every process in a group of the
 * gateway's ledger and every process carrying the gateway's marker (SIGTERM, grace, SIGKILL), and
 * exits. A clean stop writes `stop` first: the watchdog leaves without touching anything.
 *
 * Only builtins run per process (`read` of /proc/<pid>/stat); one `grep` finds marked processes.
 */
const SCRIPT = `
ledger=$1 marker=$2 grace=$3
while IFS= read -r line; do [ "$line" = stop ] && exit 0; done
targets() {
  groups=" $(grep -o '"pgid":[0-9]*' "$ledger" 2>/dev/null | cut -d: -f2 | tr '\\n' ' ') "
  for f in /proc/[0-9]*/stat; do
    { read -r s < "$f"; } 2>/dev/null || continue
    set -- \${s##*) }
    [ "$1" = Z ] && continue
    case "$groups" in *" $3 "*) p=\${f#/proc/}; echo "\${p%/stat}" ;; esac
  done
  grep -lzx "SUTAZAI_MCP_MARKER=$marker" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3
}
signal() {
  n=0
  for p in $(targets | sort -u); do
    [ "$p" = "$$" ] && continue
    kill -s "$1" "$p" 2>/dev/null
    n=$((n + 1))
  done
  [ "$n" -gt 0 ]
}
if signal TERM; then
  i=0
  while [ "$i" -lt $((grace / 100)) ] && [ -n "$(targets)" ]; do sleep 0.05; i=$((i + 1)); done
  signal KILL && sleep 0.1
fi
[ -z "$(targets)" ] && rm -f "$ledger"
exit 0
`;

export interface Watchdog {
  pid: number | undefined;
  /** Clean stop: the watchdog exits without reaping. With `reap`, it reaps as if we had died. (A scan of /proc takes about as long as the 50 ms sleep, hence grace / 100 rounds.) */
  stop(options?: { reap?: boolean }): void;
}

export function startWatchdog(ledgerFile: string, marker: string, graceMs: number): Watchdog {
  const env = { ...process.env };
  delete env.SUTAZAI_MCP_MARKER;
  delete env.NODE_OPTIONS;
  const child: ChildProcess = spawn(
    '/bin/sh',
    ['-c', SCRIPT, 'sutazai-mcp-watchdog', ledgerFile, marker, String(graceMs)],
    {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
      env,
    },
  );
  child.on('error', () => {}); // no /bin/sh: reapLedger at the next start is the fallback
  child.unref();
  const stdin = child.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
  stdin?.on('error', () => {});
  stdin?.unref?.();
  return {
    pid: child.pid,
    stop: (options) => {
      if (!options?.reap) stdin?.write('stop\n');
      stdin?.end();
    },
  };
}

/**
 * Runs the watchdog only while there are children to guard: started with the first process
 * group in the ledger, stopped `lingerMs` after the last one ended (so a per-session churn of
 * short-lived children does not start a shell for each).
 */
export class OrphanGuard {
  private dog: Watchdog | undefined;
  private linger: NodeJS.Timeout | undefined;

  constructor(
    private readonly ledgerFile: string,
    private readonly marker: string,
    private readonly graceMs: number,
    private readonly lingerMs = 2000,
  ) {}

  /** The watchdog's pid while one runs. */
  get pid(): number | undefined {
    return this.dog?.pid;
  }

  /** The ledger now holds `groups` process groups. */
  update(groups: number): void {
    if (groups > 0) {
      clearTimeout(this.linger);
      this.linger = undefined;
      this.dog ??= startWatchdog(this.ledgerFile, this.marker, this.graceMs);
      return;
    }
    if (!this.dog || this.linger) return;
    this.linger = setTimeout(() => this.close(false), this.lingerMs);
    this.linger.unref();
  }

  /** Stops the watchdog; with `reap` (something is still running) it kills what the ledger names. */
  close(reap: boolean): void {
    clearTimeout(this.linger);
    this.linger = undefined;
    this.dog?.stop({ reap });
    this.dog = undefined;
  }
}
