/**
 * Idle memory of `sutazai up`: starts the compiled CLI (`npx tsc -p tsconfig.build.json` first)
 * on a fresh data dir (first start: initdb), on a warm one, and on PostgreSQL, leaves it idle
 * for IDLE_MS and reads VmRSS and VmHWM from /proc/<pid>/status. Targets (issue 9): 200 MB on
 * PGlite, 120 MB on PostgreSQL, fresh or warm.
 *
 *   npx tsx bench/idle-memory.ts     (IDLE_MS=60000, CASES=fresh,warm,postgres, PARALLEL=1 runs the cases at once)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freshPostgresSchemaUrl } from '../test/helpers/db.js';
import { PG_URL } from './common.js';

const IDLE_MS = Number(process.env.IDLE_MS ?? 60_000);
const BIN = path.resolve(import.meta.dirname, '../bin/sutazai.js');
const TARGET_MB = { fresh: 200, warm: 200, postgres: 120 } as const;
type Case = keyof typeof TARGET_MB;

interface Sample {
  rssMb: number;
  hwmMb: number;
}

function sample(pid: number): Sample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(status.match(new RegExp(`${key}:\\s+(\\d+) kB`))![1]);
  return { rssMb: Math.round(kb('VmRSS') / 1024), hwmMb: Math.round(kb('VmHWM') / 1024) };
}

/** Starts `up`, waits for ready, samples at ready and after `idleMs`, then stops it with SIGTERM. */
async function runUp(env: NodeJS.ProcessEnv, idleMs: number): Promise<{ ready: Sample; idle: Sample }> {
  const child = spawn(process.execPath, [BIN, 'up'], {
    env: { ...process.env, SUTAZAI_PORT: '0', SUTAZAI_AUTH: 'false', SUTAZAI_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/ready on http/.test(stderr)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`up exited ${code}: ${stderr}`)));
  });
  const ready = sample(child.pid!);
  await new Promise((r) => setTimeout(r, idleMs));
  const idle = sample(child.pid!);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  return { ready, idle };
}

async function measure(name: Case): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sutazai-mem-'));
  const env: NodeJS.ProcessEnv = { SUTAZAI_DATA_DIR: path.join(dir, 'data') };
  let drop: (() => Promise<void>) | undefined;
  try {
    if (name === 'postgres') {
      const schema = await freshPostgresSchemaUrl(PG_URL);
      drop = schema.drop;
      env.DATABASE_URL = schema.url;
    }
    if (name === 'warm') await runUp(env, 0);
    const { ready, idle } = await runUp(env, IDLE_MS);
    const verdict = idle.rssMb <= TARGET_MB[name] && idle.hwmMb <= TARGET_MB[name] * 1.5 ? 'ok' : 'over';
    return (
      `${name.padEnd(8)} at ready: RSS ${ready.rssMb} MB (HWM ${ready.hwmMb})  after ${IDLE_MS / 1000} s idle: ` +
      `RSS ${idle.rssMb} MB (HWM ${idle.hwmMb})  target RSS ${TARGET_MB[name]} MB: ${idle.rssMb <= TARGET_MB[name] ? 'ok' : 'over'}` +
      (verdict === 'over' && idle.rssMb <= TARGET_MB[name] ? ' (peak high)' : '')
    );
  } finally {
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

const cases = (process.env.CASES ?? 'fresh,warm,postgres').split(',') as Case[];
console.log(`idle memory of \`sutazai up\` (node ${process.version}), ${IDLE_MS / 1000} s idle`);
if (process.env.PARALLEL === '1') for (const line of await Promise.all(cases.map(measure))) console.log(line);
else for (const name of cases) console.log(await measure(name));
