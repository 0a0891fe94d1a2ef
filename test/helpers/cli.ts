import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const REPO = path.resolve(import.meta.dirname, '../..');
/** The tsx loader by absolute URL, so children started in a temp cwd still find it. */
export const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Runs the CLI from source (tsx) in its own process group. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = REPO): ChildProcess {
  return spawn(process.execPath, ['--import', TSX, path.join(REPO, 'src/cli/bin.ts'), ...args], {
    cwd,
    env: { ...process.env, SUTAZAI_LOG_LEVEL: 'warn', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = REPO): Promise<CliResult> {
  const child = spawnCli(args, env, cwd);
  return collect(child);
}

export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

/** Resolves with the first match of `pattern` on the child's stderr, or rejects after `timeoutMs`. */
export function waitForLine(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs = 20_000,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}; saw: ${seen}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (d: Buffer) => {
      seen += d.toString();
      const match = seen.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
  });
}

/** True while any process of the group is alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

export function killGroup(pgid: number | undefined): void {
  if (!pgid) return;
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}
