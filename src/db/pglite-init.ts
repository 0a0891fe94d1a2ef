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
 * The child's whole program: plain JavaScript that imports only PGlite, so it runs the same from
 * source and from dist. It creates the cluster, then applies the migrations it reads as JSON on
 * stdin in one transaction (the first migration grows the heap by another ~70 MB). A migration
 * that fails is rolled back and left to the parent's migrate(), which reports it properly.
 */
const CHILD = `
const [moduleUrl, dataDir, conf] = process.argv.slice(1);
let input = '';
for await (const chunk of process.stdin) input += chunk;
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
`;

export async function initdbInChild(pgdata: string, settings: readonly string[]): Promise<void> {
  const moduleUrl = pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')).href;
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', CHILD, moduleUrl, pgdata, JSON.stringify(settings)],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  child.stdin.end(
    JSON.stringify({
      tableSql: MIGRATIONS_TABLE_SQL,
      migrations: migrations.map((m) => ({ name: m.name, statements: splitStatements(m.sql) })),
    }),
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`initdb of ${pgdata} failed (exit ${code}): ${stderr.trim()}`);
}
