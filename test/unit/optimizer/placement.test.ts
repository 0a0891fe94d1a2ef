import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlacementConfigSchema } from '../../../src/config/schema.js';
import { MemoryDocker, fakeContainer } from '../../../src/ops/index.js';
import {
  buildPlacement,
  formatCpuList,
  readCpusets,
  readTopology,
  summarize,
  type ContainerCpuset,
  type CpuStat,
  type PlacementInput,
} from '../../../src/optimizer/index.js';
import { tempRoot, writeTopology } from '../../helpers/system-tree.js';

const thresholds = PlacementConfigSchema.parse({});

function sys(sockets: number, cores: number, threads: number) {
  const root = path.join(tempRoot(), 'sys');
  writeTopology(root, sockets, cores, threads);
  return readTopology(root);
}

/** A synthetic history of `n` samples around `level` (± 0.02, a saw), like a steady load. */
function history(level: number, n = 120): number[] {
  return Array.from({ length: n }, (_, i) => Math.max(0, level + ((i % 5) - 2) * 0.01));
}

function input(
  topology: ReturnType<typeof sys>,
  coreLevels: number[],
  containers: Array<ContainerCpuset & { p95: number }> | null,
): PlacementInput {
  const cores = new Map<number, CpuStat>(coreLevels.map((l, cpu) => [cpu, summarize(history(l))]));
  const usage = new Map<string, CpuStat>(
    (containers ?? []).map((c) => [c.name, summarize(history(c.p95 - 0.02))]),
  );
  return {
    windowMs: 86_400_000,
    topology,
    cores,
    containerUsage: usage,
    containers: containers ? containers.map(({ name, cpuset }) => ({ name, cpuset })) : null,
    engine: containers ? { available: true } : { available: false, reason: 'connect ENOENT' },
    thresholds,
  };
}

const rules = (r: ReturnType<typeof buildPlacement>) =>
  r.findings.map((f) => `${f.rule} ${f.subject} ${f.severity}`);

describe('per-series CPU statistics', () => {
  it('mean and p95 as PostgreSQL percentile_cont computes them', () => {
    const s = summarize(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(s.samples).toBe(100);
    expect(s.mean).toBeCloseTo(50.5, 10);
    expect(s.p95).toBeCloseTo(95.05, 10);
    expect(summarize([])).toEqual({ samples: 0, mean: 0, p95: 0 });
  });

  it('formats CPU lists the way cpusets are written', () => {
    expect(formatCpuList([5, 0, 1, 2, 4, 7])).toBe('0-2,4-5,7');
    expect(formatCpuList([])).toBe('');
  });
});

describe('placement rules on 2 sockets × 2 cores × SMT 2 (8 CPUs)', () => {
  const topo = sys(2, 2, 2);
  // Core 0:0 (CPUs 0 and 4) saturated by two pinned containers, everything else idle.
  const levels = [0.95, 0.05, 0.04, 0.06, 0.9, 0.05, 0.03, 0.05];
  const containers = [
    { name: 'ollama', cpuset: '0,4', p95: 1.6 },
    { name: 'worker', cpuset: '0', p95: 0.8 },
    { name: 'db', cpuset: '3,9', p95: 0.05 },
    { name: 'quiet', cpuset: '', p95: 0.01 },
  ];

  it('finds hot containers sharing cores while others idle, a cpuset naming missing CPUs, and the imbalance', () => {
    const r = buildPlacement(input(topo, levels, containers));
    expect(rules(r)).toEqual([
      'cpu-core-imbalance host high',
      'cpu-cpuset-missing-cores db high',
      'cpu-hot-shared-cores ollama + worker high',
    ]);
    const shared = r.findings.find((f) => f.rule === 'cpu-hot-shared-cores')!;
    expect(shared.evidence).toMatchObject({ sharedCpus: [0] });
    expect((shared.evidence.idleCpus as Array<{ cpu: number }>).map((c) => c.cpu)).toEqual([
      1, 2, 3, 5, 6, 7,
    ]);
    expect(r.findings.find((f) => f.rule === 'cpu-cpuset-missing-cores')!.evidence).toMatchObject({
      missing: [9],
    });
    const imbalance = r.findings.find((f) => f.rule === 'cpu-core-imbalance')!;
    expect(imbalance.evidence).toMatchObject({ busiest: { cpu: 0 }, idlest: { cpu: 6 } });
  });

  it('reports the topology and per-core load in the contract shape', () => {
    const r = buildPlacement(input(topo, levels, containers));
    expect(r.topology).toEqual({
      cpus: 8,
      numaNodes: 2,
      physicalCores: [
        { id: '0:0', cpus: [0, 4], node: 0 },
        { id: '0:1', cpus: [1, 5], node: 0 },
        { id: '1:0', cpus: [2, 6], node: 1 },
        { id: '1:1', cpus: [3, 7], node: 1 },
      ],
    });
    expect(r.perCore).toHaveLength(8);
    expect(r.perCore[0]!.mean).toBeCloseTo(0.95, 10);
    expect(r.perCore[0]!.samples).toBe(120);
  });

  it('suggests whole physical cores per heavy service, enough for its p95, alternating sockets', () => {
    const r = buildPlacement(
      input(topo, levels, [
        { name: 'worker', cpuset: '', p95: 0.3 },
        { name: 'ollama', cpuset: '', p95: 3.2 },
        { name: 'redis', cpuset: '', p95: 0.4 },
        { name: 'postgres', cpuset: '', p95: 0.9 },
        { name: 'idle', cpuset: '', p95: 0.05 },
      ]),
    );
    expect(r.suggestion.map((s) => [s.target, s.cpuset])).toEqual([
      ['ollama', '0-1,4-5'],
      ['postgres', '2,6'],
      ['redis', '3,7'],
      ['worker', ''],
    ]);
    expect(r.suggestion[0]!.reason).toMatch(/physical cores 0:0, 0:1 \(CPUs 0-1,4-5, NUMA node 0\)/);
    expect(r.suggestion[3]!.reason).toMatch(/Leave unpinned/);
  });

  it('a balanced host with busy unpinned containers has nothing to report', () => {
    const r = buildPlacement(
      input(topo, Array(8).fill(0.5), [
        { name: 'a', cpuset: '', p95: 2 },
        { name: 'b', cpuset: '', p95: 2 },
      ]),
    );
    expect(r.findings).toEqual([]);
  });
});

describe('placement rules on 1 socket × 2 cores', () => {
  const topo = sys(1, 2, 1);

  it('busy containers pinned to overlapping cpusets with no idle core elsewhere: overlap, not sharing', () => {
    const r = buildPlacement(
      input(
        topo,
        [0.85, 0.8],
        [
          { name: 'a', cpuset: '0-1', p95: 0.9 },
          { name: 'b', cpuset: '1', p95: 0.7 },
        ],
      ),
    );
    expect(rules(r)).toEqual(['cpu-cpuset-overlap a + b medium']);
  });

  it('without an engine it says so and still judges the cores and suggests from the history', () => {
    const withHistory = input(topo, [0.9, 0.1], [{ name: 'ollama', cpuset: '', p95: 0.9 }]);
    const r = buildPlacement({
      ...withHistory,
      containers: null,
      engine: { available: false, reason: 'connect ENOENT' },
    });
    expect(rules(r)).toEqual(['placement-no-engine docker low', 'cpu-core-imbalance host high']);
    expect(r.engine).toEqual({ available: false, reason: 'connect ENOENT' });
    expect(r.suggestion.map((s) => [s.target, s.cpuset])).toEqual([['ollama', '0']]);
  });

  it('too few samples: not enough evidence, and no per-core verdict', () => {
    const i = input(topo, [0.9, 0.1], []);
    const few = new Map([...i.cores].map(([cpu, s]) => [cpu, { ...s, samples: 5 }]));
    const r = buildPlacement({ ...i, cores: few });
    expect(rules(r)).toEqual(['placement-not-enough-evidence host low']);
  });
});

describe('container cpusets from the engine', () => {
  it('reads HostConfig.CpusetCpus of running containers', async () => {
    const docker = new MemoryDocker();
    const pinned = fakeContainer({ id: 'a1', name: 'ollama' });
    pinned.HostConfig.CpusetCpus = '0-1';
    docker.containers = [
      pinned,
      fakeContainer({ id: 'b2', name: 'redis' }),
      fakeContainer({ id: 'c3', name: 'off', running: false }),
    ];
    expect(await readCpusets(docker)).toEqual({
      containers: [
        { name: 'ollama', cpuset: '0-1' },
        { name: 'redis', cpuset: '' },
      ],
      engine: { available: true },
    });
  });

  it('no engine: says so with the reason', async () => {
    expect(await readCpusets(undefined)).toEqual({
      containers: null,
      engine: { available: false, reason: 'no engine configured' },
    });
    const broken = new MemoryDocker();
    broken.listContainers = () => Promise.reject(new Error('connect ENOENT /var/run/docker.sock'));
    expect(await readCpusets(broken)).toEqual({
      containers: null,
      engine: { available: false, reason: 'connect ENOENT /var/run/docker.sock' },
    });
  });
});
