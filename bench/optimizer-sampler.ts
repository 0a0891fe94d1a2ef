import { median, report } from './lib.js';
/**
 * Cost of one sampler pass with 100 containers, as a share of one core at the default 15 s
 * interval: CPU time (user + system, process.cpuUsage, so the embedded database's work in this
 * process counts) of collect + store. Containers are fixture cgroup trees (v2, then v1) listed by
 * the in-memory engine: no real engine holds 100 containers on this machine, and the cgroup
 * files are what the sampler reads when they are visible. Host and process sources read the
 * real /proc. Baseline in the same run: the same pass with 0 containers.
 * Also prints storage per series per day: bytes of resource_samples (table + indexes) per row
 * × 5,760 rows (one day at 15 s), measured after the run on PGlite or PostgreSQL.
 *
 *   npx tsx bench/optimizer-sampler.ts [containers=100] [passes=40] [pglite|postgres]
 */
import path from 'node:path';
import { fakeContainer, MemoryDocker } from '../src/ops/index.js';
import { Collector, SampleWriter } from '../src/optimizer/index.js';
import { tempRoot, writeCgroupV1, writeCgroupV2 } from '../test/helpers/system-tree.js';
import { openBenchDb } from './common.js';

const CONTAINERS = Number(process.argv[2] ?? 100);
const PASSES = Number(process.argv[3] ?? 40);
const DB = (process.argv[4] ?? 'pglite') as 'pglite' | 'postgres';
const INTERVAL_MS = 15_000;
const MiB = 1024 ** 2;

function fixture(n: number, version: 1 | 2) {
  const root = tempRoot('sutazai-bench-cg-');
  const docker = new MemoryDocker();
  for (let i = 0; i < n; i++) {
    const id = i.toString(16).padStart(64, 'b');
    docker.containers.push(fakeContainer({ id, name: `bench-${i}` }));
    const c = { cpuSeconds: i, usageBytes: (100 + i) * MiB, inactiveFileBytes: MiB, limitBytes: 512 * MiB };
    if (version === 2) writeCgroupV2(root, id, c);
    else writeCgroupV1(root, id, c);
  }
  return { root, docker };
}

async function measure(n: number, version: 1 | 2) {
  const bench = await openBenchDb(DB);
  const { root, docker } = fixture(n, version);
  const collector = new Collector({
    roots: { proc: '/proc', sys: '/sys', cgroup: root },
    dataDir: path.resolve('.'),
    platformPid: process.pid,
    docker,
    sourceTimeoutMs: 5000,
  });
  const writer = new SampleWriter(bench.db, 100_000);
  const cpuMs: number[] = [];
  let at = Date.now();
  let points = 0;
  for (let i = 0; i < PASSES + 3; i++) {
    const start = process.cpuUsage();
    const r = await collector.collect();
    await writer.write((at += INTERVAL_MS), r.points);
    const used = process.cpuUsage(start);
    if (i >= 3) cpuMs.push((used.user + used.system) / 1000); // the first passes register series
    points = r.points.length;
  }
  const size = await bench.db.query<{ bytes: string; rows: string }>(
    `SELECT pg_total_relation_size('resource_samples') AS bytes, (SELECT count(*) FROM resource_samples) AS rows`,
  );
  await bench.close();
  const perRow = Number(size.rows[0]!.bytes) / Number(size.rows[0]!.rows);
  return { cpuMs: median(cpuMs), points, perRow };
}

const base = await measure(0, 2);
for (const version of [2, 1] as const) {
  const m = await measure(CONTAINERS, version);
  report(`optimizer-sampler cgroup-v${version} ${DB}`, {
    containers: CONTAINERS,
    points_per_pass: m.points,
    cpu_ms_per_pass_median: m.cpuMs,
    baseline_0_containers_ms: base.cpuMs,
    core_percent_at_15s: (m.cpuMs / INTERVAL_MS) * 100,
    marginal_core_percent_per_100:
      (((m.cpuMs - base.cpuMs) / INTERVAL_MS) * 100 * 100) / Math.max(1, CONTAINERS),
    raw_bytes_per_row: m.perRow,
    raw_kib_per_series_day: (m.perRow * 5760) / 1024,
  });
}
