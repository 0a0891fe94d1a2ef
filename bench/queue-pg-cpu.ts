/**
 * CPU per task of the local PostgreSQL server and of this worker process, for a short and a long
 * run of no-op tasks (one worker, synchronous commits): a cost that grows with the run's length
 * (a plan quadratic in the batch, dead index entries) shows as more µs per task in the long run.
 * Decision 0077 found its defects this way.
 *
 *   npx tsx bench/queue-pg-cpu.ts       (TEST_DATABASE_URL, CONCURRENCY=1, TASKS=5000,20000)
 *
 * The server's CPU is read from /proc: the postmaster (found as the parent of this connection's
 * backend) with its exited children, plus its live children. It counts every database of that
 * server, so read it on a quiet one; PostgreSQL must run on this machine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { openBenchDb } from './common.js';
import { queueFor, workerFor } from './queue-ours.js';

const CONCURRENCY = Number(process.env.CONCURRENCY ?? 1);
const SIZES = (process.env.TASKS ?? '5000,20000').split(',').map(Number);
const TICK_MS = 10; // USER_HZ 100 on Linux

/** The fields after the command name of /proc/<pid>/stat (field 3 onwards). */
function statFields(pid: string): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // exited meanwhile
  }
}

/** CPU ms of the postmaster's tree: its reaped children's and its live children's. */
function serverCpuMs(postmaster: string): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const f = statFields(pid);
    if (!f) continue;
    // After the name: [0] state, [1] ppid, … [11] utime, [12] stime, [13] cutime, [14] cstime.
    if (pid === postmaster) ticks += Number(f[13]) + Number(f[14]);
    else if (f[1] === postmaster) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks * TICK_MS;
}

const bench = await openBenchDb('postgres');
try {
  const { rows } = await bench.db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const postmaster = statFields(String(rows[0]!.pid))?.[1];
  if (!postmaster)
    throw new Error('PostgreSQL does not run on this machine (no /proc entry for its backend)');
  console.log(`PostgreSQL CPU per task, one worker at concurrency ${CONCURRENCY}, synchronous commits`);
  for (const tasks of SIZES) {
    await bench.reset();
    const queue = queueFor(bench);
    await queue.enqueueMany(Array.from({ length: tasks }, () => ({ type: 'noop' })));
    const done = new Promise<void>(
      (resolve) => (queue.onProgress = () => queue.written >= tasks && resolve()),
    );
    const worker = workerFor(bench, queue, CONCURRENCY, new Map([['noop', async () => null]]));
    const keepAlive = setInterval(() => undefined, 1000); // worker timers are unref'd
    const server0 = serverCpuMs(postmaster);
    const own0 = process.cpuUsage();
    const started = performance.now();
    await worker.start();
    await done;
    const wallMs = performance.now() - started;
    const own = process.cpuUsage(own0);
    const serverMs = serverCpuMs(postmaster) - server0;
    clearInterval(keepAlive);
    await worker.stop();
    const perTask = (ms: number) => ((ms * 1000) / tasks).toFixed(0);
    console.log(
      `  ${String(tasks).padStart(6)} tasks: ${Math.round((tasks / wallMs) * 1000)} tasks/s; ` +
        `PostgreSQL ${perTask(serverMs)} µs/task, worker process ${perTask((own.user + own.system) / 1000)} µs/task`,
    );
  }
} finally {
  await bench.close();
}
