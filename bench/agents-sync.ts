import { median } from './lib.js';
/**
 * Agent file sync on PGlite: 500 files (the old stack kept agents by the hundred).
 * Prints medians of: first sync (all inserts), a no-change re-sync, a re-sync after 50 files
 * changed, and a baseline in the same run: the same 500 rows upserted one statement per file.
 *
 *   npx tsx bench/agents-sync.ts [files=500] [rounds=5]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseAgentFile, syncAgentFiles } from '../src/agents/index.js';
import { migrate, openDb, type Db } from '../src/db/index.js';
import { createLogger } from '../src/log.js';

const FILES = Number(process.argv[2] ?? 500);
const ROUNDS = Number(process.argv[3] ?? 5);
const logger = createLogger('silent');

function fileText(i: number, variant: string): string {
  return [
    '---',
    `name: agent-${i}`,
    `description: Bench agent ${i} ${variant}`,
    'capabilities: web, search, summarization',
    'tools: http.fetch, filesystem__read_file, filesystem__list_directory',
    'model: tinyllama',
    '---',
    `You are bench agent ${i}. ${'Follow the instructions carefully. '.repeat(20)}`,
    '',
  ].join('\n');
}

async function writeAll(dir: string, variant: (i: number) => string): Promise<void> {
  await Promise.all(
    Array.from({ length: FILES }, (_, i) =>
      writeFile(path.join(dir, `agent-${i}.md`), fileText(i, variant(i))),
    ),
  );
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** The naive way: parse then one INSERT ... ON CONFLICT per file, no batching. */
async function naiveSync(db: Db, dir: string): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  for (let i = 0; i < FILES; i++) {
    const rel = `agent-${i}.md`;
    const d = parseAgentFile(await readFile(path.join(dir, rel), 'utf8'), rel);
    await db.query(
      `INSERT INTO agents (name, description, capabilities, model, system_prompt, tools, source)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description, capabilities = EXCLUDED.capabilities,
         model = EXCLUDED.model, system_prompt = EXCLUDED.system_prompt, tools = EXCLUDED.tools,
         source = EXCLUDED.source, updated_at = now()`,
      [d.name, d.description, d.capabilities, d.model, d.systemPrompt, d.tools, `file:${rel}`],
    );
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sutazai-bench-agents-'));
  const db = await openDb({ dataDir: '', inMemory: true });
  await migrate(db);
  const sync = () => syncAgentFiles({ db, dir, logger });
  const first: number[] = [];
  const unchanged: number[] = [];
  const changed50: number[] = [];
  const naive: number[] = [];
  try {
    await writeAll(dir, () => 'v0');
    await sync(); // warm-up: JIT, PGlite plan caches
    for (let round = 0; round < ROUNDS; round++) {
      await db.query('TRUNCATE agents CASCADE');
      await writeAll(dir, () => 'v0');
      first.push(await time(sync));
      unchanged.push(await time(sync));
      await writeAll(dir, (i) => (i % 10 === 0 ? `v${round + 1}` : 'v0'));
      changed50.push(await time(sync));
      await db.query('TRUNCATE agents CASCADE');
      naive.push(await time(() => naiveSync(db, dir)));
    }
    const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM agents');
    const fmt = (label: string, xs: number[]) =>
      `${label.padEnd(44)} median ${median(xs).toFixed(0).padStart(5)} ms  (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
    process.stdout.write(
      [
        `agent file sync on PGlite (in memory), ${FILES} files, ${ROUNDS} rounds, node ${process.version}`,
        fmt('syncAgentFiles, empty table (all inserts)', first),
        fmt('syncAgentFiles, nothing changed', unchanged),
        fmt(`syncAgentFiles, ${Math.ceil(FILES / 10)} files changed`, changed50),
        fmt('baseline: one upsert statement per file', naive),
        `rows after the run: ${rows.rows[0]!.n}`,
        '',
      ].join('\n'),
    );
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
