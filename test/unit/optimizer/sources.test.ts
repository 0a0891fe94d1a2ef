import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeContainer, MemoryDocker } from '../../../src/ops/index.js';
import { Collector, parseSeries, seriesName, type Point } from '../../../src/optimizer/index.js';
import { readContainerCgroup } from '../../../src/optimizer/sources/cgroup.js';
import { parseMeminfo, parsePressure, parseProcStat } from '../../../src/optimizer/sources/host.js';
import { parsePidStat, treeUsage } from '../../../src/optimizer/sources/processes.js';
import {
  tempRoot,
  writeCgroupV1,
  writeCgroupV2,
  writeMeminfo,
  writePidStat,
  writePressure,
  writeProcStat,
} from '../../helpers/system-tree.js';

const MiB = 1024 ** 2;
const idOf = (n: number) => n.toString(16).padStart(64, 'a');

describe('kernel file parsers', () => {
  it('reads per-core busy and total jiffies from /proc/stat, skipping the aggregate line', () => {
    const cpus = parseProcStat('cpu  10 0 0 10 0 0 0 0\ncpu0 4 1 1 10 2 0 0 0 0 0\ncpu1 0 0 0 5 0 0 0 0\n');
    expect([...cpus.keys()]).toEqual(['cpu0', 'cpu1']);
    expect(cpus.get('cpu0')).toEqual({ busy: 6, total: 18 }); // idle + iowait are not busy
  });

  it('reads used memory as total minus MemAvailable, and PSI avg10', () => {
    expect(parseMeminfo('MemTotal: 1000 kB\nMemAvailable: 250 kB\n')).toEqual({
      totalBytes: 1000 * 1024,
      usedBytes: 750 * 1024,
    });
    expect(
      parsePressure('some avg10=1.50 avg60=0 avg300=0 total=9\nfull avg10=0.25 avg60=0 avg300=0 total=1\n'),
    ).toEqual({
      some: 1.5,
      full: 0.25,
    });
  });

  it('reads a pid stat whose command holds spaces and parentheses; zombies are left out', () => {
    const text = '42 (a) b (c)) S 1 42 42 0 -1 0 0 0 0 0 150 50 0 0 20 0 1 0 0 0 256\n';
    expect(parsePidStat(42, text)).toEqual({ pid: 42, ppid: 1, cpuSeconds: 2, rssBytes: 256 * 4096 });
    expect(parsePidStat(43, text.replace(' S ', ' Z '))).toBeUndefined();
  });

  it('sums a process tree through its descendants only', () => {
    const p = (pid: number, ppid: number) => ({ pid, ppid, cpuSeconds: 1, rssBytes: 10 });
    const procs = [p(1, 0), p(10, 1), p(11, 10), p(12, 11), p(20, 1)];
    expect(treeUsage([10], procs)).toEqual({ cpuSeconds: 3, rssBytes: 30, processes: 3 });
    expect(treeUsage([99], procs)).toBeUndefined();
  });
});

describe('container cgroups', () => {
  const c = { cpuSeconds: 12.5, usageBytes: 300 * MiB, inactiveFileBytes: 100 * MiB, limitBytes: 512 * MiB };

  it('reads v2 (systemd and cgroupfs drivers): working set = current − inactive_file', async () => {
    for (const driver of ['systemd', 'cgroupfs'] as const) {
      const root = tempRoot();
      writeCgroupV2(root, idOf(1), c, driver);
      expect(readContainerCgroup(idOf(1), root)).toEqual({
        version: 2,
        cpuSeconds: 12.5,
        workingSetBytes: 200 * MiB,
        limitBytes: 512 * MiB,
      });
    }
  });

  it('reads v1 from the memory and cpuacct controllers; the huge v1 "no limit" is no limit', async () => {
    const root = tempRoot();
    writeCgroupV1(root, idOf(2), { ...c, limitBytes: 0 });
    expect(readContainerCgroup(idOf(2), root)).toEqual({
      version: 1,
      cpuSeconds: 12.5,
      workingSetBytes: 200 * MiB,
      limitBytes: 0,
    });
    expect(readContainerCgroup(idOf(3), root)).toBeUndefined();
  });
});

/** A fake machine: 2 cores, 4 GiB, PSI, the platform (pid 100), an MCP server tree, 2 containers. */
function machine() {
  const root = tempRoot();
  const proc = path.join(root, 'proc');
  const cgroup = path.join(root, 'cgroup');
  writeProcStat(proc, [
    [100, 100],
    [0, 200],
  ]);
  writeMeminfo(proc, 4 * 1024 * 1024, 3 * 1024 * 1024);
  writePressure(proc, 'memory', 0.5, 0.1);
  writePidStat(proc, 100, 1, 1000, 50_000);
  writePidStat(proc, 200, 100, 100, 1000); // MCP server instance
  writePidStat(proc, 201, 200, 100, 1000); // its child
  const docker = new MemoryDocker();
  docker.containers = [
    fakeContainer({ id: idOf(1), name: 'redis' }),
    fakeContainer({ id: idOf(2), name: 'remote' }),
  ];
  writeCgroupV2(cgroup, idOf(1), {
    cpuSeconds: 10,
    usageBytes: 64 * MiB,
    inactiveFileBytes: 0,
    limitBytes: 256 * MiB,
  });
  // `remote` has no visible cgroup: the engine's stats answer for it.
  docker.stats.set(idOf(2), { usage: 32 * MiB, limit: 4 * 1024 * MiB, cpuSeconds: 5 });
  let now = Date.parse('2026-11-01T00:00:00Z');
  const collector = new Collector({
    roots: { proc, sys: path.join(root, 'sys'), cgroup },
    dataDir: root,
    platformPid: 100,
    mcpServers: () => [{ name: 'files', pids: [200] }],
    docker,
    sourceTimeoutMs: 1000,
    now: () => now,
  });
  return {
    collector,
    advance(ms: number) {
      now += ms;
    },
    proc,
    cgroup,
    docker,
  };
}

const valueOf = (points: Point[], name: string) => points.find((p) => p.series === name)?.value;

describe('Collector', () => {
  it('reports memory at once and CPU rates from the second pass, per source', async () => {
    const m = machine();
    const first = await m.collector.collect();
    expect(first.failed).toEqual({});
    expect(valueOf(first.points, 'host:memory_bytes:host')).toBe(1024 ** 3);
    expect(valueOf(first.points, 'host:memory_limit_bytes:host')).toBe(4 * 1024 ** 3);
    expect(valueOf(first.points, 'host:pressure_full:memory')).toBe(0.1);
    expect(valueOf(first.points, 'process:memory_bytes:sutazai')).toBe(50_000 * 4096);
    expect(valueOf(first.points, 'mcp:memory_bytes:files')).toBe(2000 * 4096);
    expect(valueOf(first.points, 'container:memory_bytes:redis')).toBe(64 * MiB);
    expect(valueOf(first.points, 'container:memory_limit_bytes:redis')).toBe(256 * MiB);
    // The engine reports host memory as the limit of an unlimited container: no limit series.
    expect(valueOf(first.points, 'container:memory_limit_bytes:remote')).toBeUndefined();
    expect(first.points.some((p) => parseSeries(p.series)?.metric === 'cpu_cores')).toBe(false);
    expect(first.points.every((p) => parseSeries(p.series) !== undefined)).toBe(true);

    // 10 s later: core 0 busy 50 of 100 jiffies, core 1 idle; the platform used 2 s of CPU (0.2
    // cores), the MCP tree 1 s (0.1), redis 5 s (0.5), remote 1 s (0.1).
    m.advance(10_000);
    writeProcStat(m.proc, [
      [150, 150],
      [0, 300],
    ]);
    writePidStat(m.proc, 100, 1, 1200, 50_000);
    writePidStat(m.proc, 201, 200, 200, 1000);
    writeCgroupV2(m.cgroup, idOf(1), {
      cpuSeconds: 15,
      usageBytes: 64 * MiB,
      inactiveFileBytes: 0,
      limitBytes: 256 * MiB,
    });
    m.docker.stats.set(idOf(2), { usage: 32 * MiB, limit: 4 * 1024 * MiB, cpuSeconds: 6 });
    const second = await m.collector.collect();
    expect(valueOf(second.points, 'host:cpu_busy:cpu0')).toBeCloseTo(0.5, 10);
    expect(valueOf(second.points, 'host:cpu_busy:cpu1')).toBe(0);
    expect(valueOf(second.points, 'host:cpu_cores:host')).toBeCloseTo(0.5, 10);
    expect(valueOf(second.points, 'process:cpu_cores:sutazai')).toBeCloseTo(0.2, 10);
    expect(valueOf(second.points, 'mcp:cpu_cores:files')).toBeCloseTo(0.1, 10);
    expect(valueOf(second.points, 'container:cpu_cores:redis')).toBeCloseTo(0.5, 10);
    expect(valueOf(second.points, 'container:cpu_cores:remote')).toBeCloseTo(0.1, 10);
  });

  it('restarts a counter that went backwards instead of reporting a negative rate', async () => {
    const m = machine();
    await m.collector.collect();
    m.advance(10_000);
    writeCgroupV2(m.cgroup, idOf(1), {
      cpuSeconds: 1,
      usageBytes: 64 * MiB,
      inactiveFileBytes: 0,
      limitBytes: 256 * MiB,
    });
    const after = await m.collector.collect();
    expect(valueOf(after.points, 'container:cpu_cores:redis')).toBeUndefined();
    m.advance(10_000);
    writeCgroupV2(m.cgroup, idOf(1), {
      cpuSeconds: 3,
      usageBytes: 64 * MiB,
      inactiveFileBytes: 0,
      limitBytes: 256 * MiB,
    });
    expect(valueOf((await m.collector.collect()).points, 'container:cpu_cores:redis')).toBeCloseTo(0.2, 10);
  });

  it('names a failing source and still reports the others', async () => {
    const m = machine();
    m.docker.listContainers = async () => {
      throw new Error('connect ENOENT /var/run/docker.sock');
    };
    const r = await m.collector.collect();
    expect(r.failed).toEqual({ containers: 'connect ENOENT /var/run/docker.sock' });
    expect(valueOf(r.points, 'host:memory_bytes:host')).toBe(1024 ** 3);
  });

  it('makes series names the API accepts from any container or model name', () => {
    expect(seriesName('model', 'memory_bytes', 'library/llama3:8b')).toBe(
      'model:memory_bytes:library_llama3:8b',
    );
    expect(parseSeries('model:memory_bytes:library_llama3:8b')).toEqual({
      kind: 'model',
      metric: 'memory_bytes',
      subject: 'library_llama3:8b',
    });
    expect(parseSeries('container:memory_bytes:../../etc')).toBeUndefined();
  });
});
