import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';

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

/**
 * Runs the compiled CLI (`node bin/sutazai.js`, as the image and `npm install -g` run it) in its
 * own process group, stdin from /dev/null. Only the compiled CLI shows what the event loop does
 * without tsx's loader, which keeps a loop alive that plain Node would let end.
 */
export function spawnBuiltCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = REPO): ChildProcess {
  return spawn(process.execPath, [path.join(REPO, 'bin/sutazai.js'), ...args], {
    cwd,
    env: { ...process.env, SUTAZAI_LOG_LEVEL: 'warn', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The newest modification time of the files below `dir` that `keep` accepts (0 when none). */
function newestMtime(dir: string, keep: (name: string) => boolean): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile() && keep(e.name))
      newest = Math.max(newest, statSync(path.join(e.parentPath, e.name)).mtimeMs);
  return newest;
}

/**
 * Makes dist/ match src/ with the build `npm ci` (prepare) and `npm run build` run
 * (`tsc -p tsconfig.build.json`): CI has built it already and this returns at once; a checkout
 * whose src/ is newer than dist/ is compiled first, so a test never runs stale code.
 */
export async function ensureBuiltCli(): Promise<void> {
  const built = (() => {
    try {
      return statSync(path.join(REPO, 'dist/cli/bin.js')).mtimeMs;
    } catch {
      return 0;
    }
  })();
  const source = newestMtime(path.join(REPO, 'src'), (n) => n.endsWith('.ts') && !n.endsWith('.test.ts'));
  if (built >= source) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  await new Promise<void>((resolve, reject) =>
    execFile(
      process.execPath,
      [tsc, '-p', 'tsconfig.build.json'],
      { cwd: REPO, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout) =>
        err ? reject(new Error(`tsc -p tsconfig.build.json: ${stdout || err.message}`)) : resolve(),
    ),
  );
}

/**
 * Writes `dir`/sutazai.yaml for a CLI run: the embedded database in `dir`/data, warn-level logs,
 * plus `more` (top-level keys such as `optimizer` or `doctor`). Returns its path.
 */
export function writeCliConfig(dir: string, more: Record<string, unknown>): string {
  const file = path.join(dir, 'sutazai.yaml');
  writeFileSync(file, stringify({ dataDir: path.join(dir, 'data'), logLevel: 'warn', ...more }));
  return file;
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

/** Polls until no process of the group is alive; false if one still is after `timeoutMs`. */
export async function groupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (groupAlive(pgid)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

export function killGroup(pgid: number | undefined): void {
  if (!pgid) return;
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}
