import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCpuList, readTopology, suggestCpusets } from '../../../src/optimizer/index.js';
import { tempRoot, writeTopology } from '../../helpers/system-tree.js';

function sys(sockets: number, cores: number, threads: number): string {
  const root = path.join(tempRoot(), 'sys');
  writeTopology(root, sockets, cores, threads);
  return root;
}

describe('CPU topology from /sys', () => {
  it('parses Linux CPU lists', () => {
    expect(parseCpuList('0-3,8,10-11\n')).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(parseCpuList('')).toEqual([]);
  });

  it('1 socket, 2 cores, no SMT', () => {
    const t = readTopology(sys(1, 2, 1));
    expect(t).toEqual({
      logicalCpus: [0, 1],
      sockets: 1,
      cores: [
        { socket: 0, core: 0, cpus: [0] },
        { socket: 0, core: 1, cpus: [1] },
      ],
      numaNodes: [{ node: 0, cpus: [0, 1] }],
    });
  });

  it('2 sockets with SMT: siblings grouped per physical core, one NUMA node per socket', () => {
    const t = readTopology(sys(2, 2, 2));
    expect(t.logicalCpus).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(t.sockets).toBe(2);
    expect(t.cores).toEqual([
      { socket: 0, core: 0, cpus: [0, 4] },
      { socket: 0, core: 1, cpus: [1, 5] },
      { socket: 1, core: 0, cpus: [2, 6] },
      { socket: 1, core: 1, cpus: [3, 7] },
    ]);
    expect(t.numaNodes).toEqual([
      { node: 0, cpus: [0, 1, 4, 5] },
      { node: 1, cpus: [2, 3, 6, 7] },
    ]);
  });

  it('suggests separate physical cores for the heaviest services, alternating sockets', () => {
    const t = readTopology(sys(2, 2, 2));
    const s = suggestCpusets(t, [
      { name: 'redis', cpuCores: 0.1 },
      { name: 'ollama', cpuCores: 1.85 },
      { name: 'postgres', cpuCores: 0.6 },
      { name: 'a', cpuCores: 0.05 },
      { name: 'b', cpuCores: 0.01 },
    ]);
    expect(s).toEqual([
      { name: 'ollama', cpus: [0, 4] },
      { name: 'postgres', cpus: [2, 6] },
      { name: 'redis', cpus: [1, 5] },
      { name: 'a', cpus: [3, 7] },
      { name: 'b', cpus: null },
    ]);
  });
});
