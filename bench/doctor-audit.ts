import { median } from './lib.js';
/**
 * Doctor audit time and peak RSS for a 100-container deployment.
 *
 *   npx tsx bench/doctor-audit.ts            # in-memory engine: sources + rules, no I/O to Docker
 *   npx tsx bench/doctor-audit.ts --real     # also the real engine: creates 100 `sleep` containers
 *                                            # on --network none (slow on vfs), removes them after
 *
 * Prints medians (after connect: the client has negotiated the API version) and the baseline of
 * an empty deployment measured in the same run.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DoctorConfigSchema } from '../src/config/schema.js';
import {
  HttpDockerClient,
  MemoryDocker,
  MemoryStateStore,
  fakeContainer,
  loadComposeProject,
  ruleOptionsFrom,
  runAudit,
  type AuditOptions,
  type DockerClient,
} from '../src/ops/index.js';
import { runArgs } from '../test/services/doctor/docker-helpers.js';

const exec = promisify(execFile);
const N = 100;
const rules = ruleOptionsFrom(DoctorConfigSchema.parse({}));

async function composeFile(dir: string, project: string, n: number): Promise<string> {
  const services = Array.from(
    { length: n },
    (_, i) =>
      `  s${i}:\n    image: sutazai-test/busybox:1\n    command: sleep 3600\n    network_mode: none\n    deploy: { resources: { limits: { memory: 16M, cpus: "0.1" } } }\n`,
  ).join('');
  const file = path.join(dir, `${project}.yaml`);
  await writeFile(
    file,
    `name: ${project}\nservices:\n${services || '  {}\n'}`.replace('services:\n  {}\n', 'services: {}\n'),
  );
  return file;
}

async function time(runs: number, opts: AuditOptions): Promise<number> {
  await runAudit(opts); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await runAudit(opts);
    ms.push(performance.now() - t);
  }
  return median(ms);
}

function options(docker: DockerClient, file: string, nameFilter?: string): AuditOptions {
  return {
    docker,
    compose: { files: [file], env: {} },
    listeners: true,
    processes: true,
    rules,
    stateStore: new MemoryStateStore(),
    ...(nameFilter ? { nameFilter } : {}),
  };
}

async function memoryBench(dir: string): Promise<void> {
  const empty = new MemoryDocker();
  const full = new MemoryDocker();
  for (let i = 0; i < N; i++)
    full.containers.push(
      fakeContainer({
        id: `c${i}`.padEnd(64, '0'),
        name: `mem-s${i}-1`,
        labels: {
          'com.docker.compose.project': 'mem',
          'com.docker.compose.service': `s${i}`,
          'com.docker.compose.config-hash': 'h',
        },
        memory: 16 << 20,
        nanoCpus: 1e8,
      }),
    );
  const base = await time(20, options(empty, await composeFile(dir, 'mem', 0)));
  const t = await time(20, options(full, await composeFile(dir, 'mem', N)));
  console.log(
    `in-memory engine, ${N} containers + compose + /proc listeners/processes: median ${t.toFixed(1)} ms (baseline, empty deployment: ${base.toFixed(1)} ms)`,
  );
}

/** A 30-file project merged in order (each file adds services and overrides one of the last). */
async function composeBench(dir: string): Promise<void> {
  const FILES = 30;
  const PER = 4;
  const files: string[] = [];
  for (let f = 0; f < FILES; f++) {
    const own = Array.from(
      { length: PER },
      (_, i) =>
        `  f${f}s${i}:\n    image: sutazai-test/busybox:\${TAG:-1}\n    environment: [A=${f}, B=${i}]\n    ports: ["${20000 + f * PER + i}:80"]\n    deploy: { resources: { limits: { memory: 16M, cpus: "0.1" } } }\n`,
    ).join('');
    const override = f > 0 ? `  f${f - 1}s0:\n    environment: { OVERRIDDEN: "${f}" }\n` : '';
    const file = path.join(dir, `part-${f}.yaml`);
    await writeFile(file, `${f === 0 ? 'name: merged\n' : ''}services:\n${own}${override}`);
    files.push(file);
  }
  const single = path.join(dir, 'single.yaml');
  await writeFile(
    single,
    `name: single\nservices:\n${Array.from({ length: FILES * PER }, (_, i) => `  s${i}:\n    image: sutazai-test/busybox:1\n    ports: ["${20000 + i}:80"]\n`).join('')}`,
  );
  const timeLoad = (f: string[]) => {
    loadComposeProject({ files: f, env: {} });
    const ms: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      loadComposeProject({ files: f, env: {} });
      ms.push(performance.now() - t);
    }
    return median(ms);
  };
  const merged = timeLoad(files);
  const base = timeLoad([single]);
  console.log(
    `compose: ${FILES} files merged (${FILES * PER} services): median ${merged.toFixed(1)} ms (baseline, one file with the same services: ${base.toFixed(1)} ms)`,
  );
}

async function realBench(dir: string): Promise<void> {
  // DOCTOR_BENCH_PREFIX: a prefix of your own on a shared engine.
  const project = `${process.env.DOCTOR_BENCH_PREFIX ?? 'dbench'}${process.pid}`;
  const docker = new HttpDockerClient({ timeoutMs: 30_000 });
  await docker.version(); // connect: negotiate the API version once
  const names = Array.from({ length: N }, (_, i) => `${project}-s${i}-1`);
  const t0 = performance.now();
  try {
    for (let i = 0; i < N; i += 4)
      await Promise.all(
        names.slice(i, i + 4).map((name, j) =>
          exec(
            '/usr/bin/docker',
            runArgs({
              name,
              compose: { project, service: `s${i + j}` },
              limits: { memory: '16m', cpus: '0.1' },
              healthInterval: '1h',
              cmd: ['sleep', '3600'],
            }),
          ),
        ),
      );
    console.log(`created ${N} containers in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const base = await time(
      5,
      options(docker, await composeFile(dir, `${project}x`, 0), `${project}-nomatch`),
    );
    const t = await time(5, options(docker, await composeFile(dir, project, N), project));
    console.log(
      `real engine, ${N} running containers + compose + /proc: median ${t.toFixed(1)} ms (baseline, empty deployment: ${base.toFixed(1)} ms)`,
    );
  } finally {
    const ids = (await exec('/usr/bin/docker', ['ps', '-aq', '--filter', `name=${project}-`])).stdout
      .split('\n')
      .filter(Boolean);
    for (let i = 0; i < ids.length; i += 25)
      await exec('/usr/bin/docker', ['rm', '-f', ...ids.slice(i, i + 25)]);
  }
}

const dir = await mkdtemp(path.join(tmpdir(), 'doctor-bench-'));
try {
  await memoryBench(dir);
  await composeBench(dir);
  if (process.argv.includes('--real')) await realBench(dir);
} finally {
  await rm(dir, { recursive: true, force: true });
}
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB`);
