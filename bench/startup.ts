/**
 * Time from process start to ready (GET /ready = 200) and idle RSS of `sutazai up`, on embedded
 * PGlite (warm: data dir already initialised; cold: first start) and on PostgreSQL.
 *   npm run build && npx tsx bench/startup.ts [runs=5]
 * Needs the compiled CLI (dist/). PostgreSQL from TEST_DATABASE_URL (default postgres://127.0.0.1:5432/test).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freshPostgresSchemaUrl } from '../test/helpers/db.js';
import { median, report } from './lib.js';

const runs = Number(process.argv[2] ?? 5);
const bin = path.resolve(import.meta.dirname, '../bin/sutazai.js');
let nextPort = 10400;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function startOnce(env: NodeJS.ProcessEnv): Promise<{ readyMs: number; idleRssMb: number }> {
  const port = nextPort++;
  const started = performance.now();
  const child = spawn(process.execPath, [bin, 'up'], {
    env: {
      ...process.env,
      ...env,
      SUTAZAI_PORT: String(port),
      SUTAZAI_LOG_LEVEL: 'warn',
      SUTAZAI_ADMIN_PASSWORD: 'bench-password-long-enough',
    },
    stdio: 'ignore',
    detached: true,
  });
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (performance.now() - started > 60_000) throw new Error('not ready within 60 s');
      await sleep(20);
    }
    const readyMs = performance.now() - started;
    await sleep(3000);
    return { readyMs, idleRssMb: rssMb(child.pid!) };
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await new Promise((resolve) => child.on('close', resolve));
  }
}

async function series(label: string, env: () => NodeJS.ProcessEnv): Promise<void> {
  const ready: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await startOnce(env());
    ready.push(r.readyMs);
    rss.push(r.idleRssMb);
  }
  report(label, { runs, ready_ms_median: median(ready), idle_rss_mb_median: median(rss) });
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'sutazai-bench-'));
try {
  await series('startup pglite cold (first start, initdb)', () => ({
    SUTAZAI_DATA_DIR: mkdtempSync(path.join(dataDir, 'cold-')),
  }));
  await startOnce({ SUTAZAI_DATA_DIR: path.join(dataDir, 'warm') });
  await series('startup pglite warm', () => ({ SUTAZAI_DATA_DIR: path.join(dataDir, 'warm') }));
  const { url, drop } = await freshPostgresSchemaUrl(
    process.env.TEST_DATABASE_URL ?? 'postgres://127.0.0.1:5432/test',
  );
  try {
    await series('startup postgres', () => ({
      DATABASE_URL: url,
      SUTAZAI_DATA_DIR: path.join(dataDir, 'pg'),
    }));
  } finally {
    await drop();
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
