import { spawn, type ChildProcess } from 'node:child_process';
import { killGroup } from './kill.js';
import { MARKER_ENV, liveProcesses, processTree } from './proc.js';
import type { LineRing } from './ring-buffer.js';

/**
 * One spawned MCP server process: no shell, its own process group (detached), stdin/stdout as
 * the MCP stdio channel, stderr into a bounded ring. `kill()` takes down the whole group and any
 * descendant that left it, and resolves once the child has exited.
 */
export interface ChildSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  marker: string;
}

export class ServerChild {
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly startedAt = Date.now();
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  readonly exited: Promise<void>;
  private killing?: Promise<void>;

  constructor(
    spec: ChildSpec,
    readonly stderr: LineRing,
  ) {
    this.proc = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...inheritedEnv(), ...spec.env, [MARKER_ENV]: spec.marker },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      shell: false,
      windowsHide: true,
    });
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
      });
      this.proc.once('error', () => resolve());
    });
    if (this.proc.pid === undefined) this.pid = -1;
    else this.pid = this.proc.pid;
    this.proc.stderr?.on('data', (chunk: Buffer) => this.stderr.write(chunk));
    this.proc.stdin?.on('error', () => {});
  }

  get alive(): boolean {
    return this.pid > 0 && this.exitCode === null && this.exitSignal === null;
  }

  /** pids of this child and every descendant still alive. */
  treePids(): number[] {
    if (this.pid <= 0) return [];
    return processTree(this.pid, liveProcesses()).map((p) => p.pid);
  }

  /** Closes stdin (polite), SIGTERM to the group, SIGKILL after the grace. Idempotent. */
  kill(graceMs: number): Promise<void> {
    this.killing ??= this.doKill(graceMs);
    return this.killing;
  }

  private async doKill(graceMs: number): Promise<void> {
    if (this.pid <= 0) return;
    const strays = this.treePids().filter((p) => p !== this.pid);
    this.proc.stdin?.end();
    await killGroup(this.pid, graceMs, strays);
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, graceMs))]);
  }
}

/** A minimal environment: PATH and friends, not our secrets. Server env from .mcp.json on top. */
function inheritedEnv(): Record<string, string> {
  const keep = [
    'PATH',
    'HOME',
    'USER',
    'LANG',
    'LC_ALL',
    'TMPDIR',
    'TERM',
    'SHELL',
    'NODE_PATH',
    'SYSTEMROOT',
  ];
  const out: Record<string, string> = {};
  for (const key of keep) {
    const value = process.env[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
