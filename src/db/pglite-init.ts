import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MIGRATIONS_TABLE_SQL, splitStatements } from './migrate.js';
import { migrations } from './migrations/index.js';

/**
 * First start of an embedded data dir in a short-lived child process. initdb inside PGlite grows
 * its WASM heap to ~700 MB, and a WASM memory never shrinks: run in our process, the platform
 * kept that for its lifetime (690–770 MB RSS after a first start, decision 0002). The child
 * creates the cluster and exits, handing its memory back; our process then opens a warm dir.
 * The caller holds the data dir's lock; the child runs under it.
 */
export function needsInitdb(pgdata: string): boolean {
  return !existsSync(path.join(pgdata, 'PG_VERSION'));
}

/**
 * The child's program is plain JavaScript that imports only PGlite, so it runs the same from
 * source and from dist. First the lifeline: it reads one JSON line (as `input`) and treats the end
 * of stdin as the parent's death.
 */
const LIFELINE = `
const [moduleUrl, dataDir, conf] = process.argv.slice(1);
// stdin carries one JSON line, then stays open as a lifeline: when the parent dies the pipe
// closes and the child exits instead of working on in a data dir nobody holds.
const input = await new Promise((resolve) => {
  let text = '';
  const onData = (chunk) => {
    text += chunk;
    const end = text.indexOf('\\n');
    if (end < 0) return;
    process.stdin.off('data', onData);
    resolve(text.slice(0, end));
  };
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', onData);
  process.stdin.on('end', () => process.exit(70));
});
`;

/**
 * Then the work: create the cluster and apply the migrations from `input` in one transaction (the
 * first migration grows the heap by another ~70 MB). A migration that fails is rolled back and
 * left to the parent's migrate(), which reports it properly.
 */
const INIT_BODY = `
const { tableSql, migrations } = JSON.parse(input);
const { PGlite } = await import(moduleUrl);
const pg = await PGlite.create({ dataDir, postgresqlconf: JSON.parse(conf) });
try {
  await pg.transaction(async (tx) => {
    await tx.query(tableSql);
    for (const m of migrations) {
      for (const statement of m.statements) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [m.name]);
    }
  });
} catch {}
await pg.close();
process.exit(0);
`;

/** A bound on a first start: initdb plus the migrations take seconds; a hang must not block `up`. */
const INITDB_TIMEOUT_MS = 120_000;

export interface InitdbOptions {
  /** For tests: the child's program after the lifeline (default: initdb and the migrations). */
  body?: string;
  timeoutMs?: number;
}

export async function initdbInChild(
  pgdata: string,
  settings: readonly string[],
  options: InitdbOptions = {},
): Promise<void> {
  const moduleUrl = pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')).href;
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      LIFELINE + (options.body ?? INIT_BODY),
      moduleUrl,
      pgdata,
      JSON.stringify(settings),
    ],
    // Its own process group, so a kill on timeout reaches all of it; the stdin lifeline ends it
    // when we are gone.
    { stdio: ['pipe', 'ignore', 'pipe'], detached: true },
  );
  child.stdin.on('error', () => undefined); // a child that died early must not crash us with EPIPE
  child.stdin.write(
    `${JSON.stringify({
      tableSql: MIGRATIONS_TABLE_SQL,
      migrations: migrations.map((m) => ({ name: m.name, statements: splitStatements(m.sql) })),
    })}\n`,
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const timer = setTimeout(() => killGroup(child.pid), options.timeoutMs ?? INITDB_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  }).finally(() => {
    clearTimeout(timer);
    child.stdin.destroy();
  });
  if (code !== 0) throw new Error(`initdb of ${pgdata} failed (exit ${code}): ${stderr.trim()}`);
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
