import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { withDefaultUser } from '../db/postgres.js';
import { sha256File } from './digest.js';

export type PgDumpResult = { file: string; bytes: number; sha256: string } | { skipped: string };

const PG_DUMP_TIMEOUT_MS = 10 * 60_000;

/**
 * pg_dump's custom-format archive of an exported snapshot, when a pg_dump binary is on PATH. It is
 * a second copy for PostgreSQL's own tools (pg_restore); SutazAI's restore and verify use the
 * engine-neutral row files. A missing or mismatched pg_dump is recorded as skipped, not an error.
 * The password travels in PGPASSWORD, never in the argument list (visible to every local user).
 */
export async function runPgDump(options: {
  url: string;
  snapshot: string;
  schema: string;
  file: string;
}): Promise<PgDumpResult> {
  const url = new URL(withDefaultUser(options.url));
  const password = decodeURIComponent(url.password);
  url.password = '';
  // URLSearchParams writes spaces as '+', which libpq does not decode (`options=-c x=y`).
  url.search = url.search.replace(/\+/g, '%20');
  const args = [
    '--format=custom',
    '--no-owner',
    `--snapshot=${options.snapshot}`,
    `--schema=${options.schema}`,
    `--file=${options.file}`,
    `--dbname=${url.toString()}`,
  ];
  const outcome = await run('pg_dump', args, {
    ...process.env,
    ...(password ? { PGPASSWORD: password } : {}),
  });
  if (outcome !== 'ok') return { skipped: outcome };
  return {
    file: path.join('db', path.basename(options.file)),
    bytes: statSync(options.file).size,
    sha256: await sha256File(options.file),
  };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve) => {
    let stderr = '';
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, PG_DUMP_TIMEOUT_MS);
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve(`pg_dump unavailable: ${err.message}`);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(
        code === 0 ? 'ok' : `pg_dump failed (${signal ?? code}): ${stderr.trim().split('\n')[0] ?? ''}`,
      );
    });
  });
}
