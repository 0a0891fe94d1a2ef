import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Fixture kernel trees for the optimizer: a fake /proc, a cgroup v1 or v2 hierarchy and a /sys CPU
 * topology, written under a temporary directory. Values are arguments, so each test states what
 * the kernel "says" and what the sampler must make of it.
 */
export function tempRoot(prefix = 'sutazai-sys-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

function put(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** /proc/stat with per-core [busy, idle] jiffies (busy is all put in `user`). */
export function writeProcStat(proc: string, cores: Array<[busy: number, idle: number]>): void {
  const lines = cores.map(([busy, idle], i) => `cpu${i} ${busy} 0 0 ${idle} 0 0 0 0 0 0`);
  const sum = cores.reduce((a, [b, i]) => [a[0]! + b, a[1]! + i], [0, 0]);
  put(
    path.join(proc, 'stat'),
    [`cpu  ${sum[0]} 0 0 ${sum[1]} 0 0 0 0 0 0`, ...lines, 'intr 0', ''].join('\n'),
  );
}

export function writeMeminfo(proc: string, totalKb: number, availableKb: number): void {
  put(
    path.join(proc, 'meminfo'),
    `MemTotal:       ${totalKb} kB\nMemFree:        ${availableKb / 2} kB\nMemAvailable:   ${availableKb} kB\n`,
  );
}

export function writePressure(
  proc: string,
  kind: 'cpu' | 'memory' | 'io',
  some: number,
  full?: number,
): void {
  const line = (k: string, v: number) => `${k} avg10=${v.toFixed(2)} avg60=0.00 avg300=0.00 total=0`;
  put(
    path.join(proc, 'pressure', kind),
    [line('some', some), ...(full === undefined ? [] : [line('full', full)]), ''].join('\n'),
  );
}

/** /proc/<pid>/stat with utime+stime ticks (100 per second) and RSS pages of 4 KiB. */
export function writePidStat(proc: string, pid: number, ppid: number, ticks: number, rssPages: number): void {
  // Fields 3..24: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
  // cutime cstime priority nice threads itrealvalue starttime vsize rss
  const f = ['S', ppid, pid, pid, 0, -1, 0, 0, 0, 0, 0, ticks, 0, 0, 0, 20, 0, 1, 0, 0, 0, rssPages];
  put(path.join(proc, String(pid), 'stat'), `${pid} (node (x) y) ${f.join(' ')}\n`);
}

export interface CgroupFixture {
  cpuSeconds: number;
  usageBytes: number;
  inactiveFileBytes: number;
  /** 0 = unlimited. */
  limitBytes: number;
}

export function writeCgroupV2(
  root: string,
  id: string,
  c: CgroupFixture,
  driver: 'systemd' | 'cgroupfs' = 'systemd',
): void {
  const dir =
    driver === 'systemd'
      ? path.join(root, 'system.slice', `docker-${id}.scope`)
      : path.join(root, 'docker', id);
  put(path.join(dir, 'memory.current'), `${c.usageBytes}\n`);
  put(path.join(dir, 'memory.max'), c.limitBytes ? `${c.limitBytes}\n` : 'max\n');
  put(path.join(dir, 'memory.stat'), `anon 1\nfile 2\ninactive_file ${c.inactiveFileBytes}\nactive_file 0\n`);
  put(
    path.join(dir, 'cpu.stat'),
    `usage_usec ${Math.round(c.cpuSeconds * 1e6)}\nuser_usec 0\nsystem_usec 0\n`,
  );
}

export function writeCgroupV1(root: string, id: string, c: CgroupFixture): void {
  const mem = path.join(root, 'memory', 'docker', id);
  put(path.join(mem, 'memory.usage_in_bytes'), `${c.usageBytes}\n`);
  put(path.join(mem, 'memory.limit_in_bytes'), `${c.limitBytes || 9223372036854771712}\n`);
  put(path.join(mem, 'memory.stat'), `cache 0\ntotal_inactive_file ${c.inactiveFileBytes}\n`);
  put(path.join(root, 'cpuacct', 'docker', id, 'cpuacct.usage'), `${Math.round(c.cpuSeconds * 1e9)}\n`);
}

/**
 * /sys/devices/system/cpu for `sockets` × `coresPerSocket` × `threadsPerCore` logical CPUs,
 * numbered the way Linux usually does (all first threads, then the SMT siblings), one NUMA node
 * per socket.
 */
export function writeTopology(
  sys: string,
  sockets: number,
  coresPerSocket: number,
  threadsPerCore: number,
): void {
  const base = path.join(sys, 'devices', 'system', 'cpu');
  const physical = sockets * coresPerSocket;
  const total = physical * threadsPerCore;
  put(path.join(base, 'online'), `0-${total - 1}\n`);
  for (let cpu = 0; cpu < total; cpu++) {
    const core = cpu % physical;
    const socket = Math.floor(core / coresPerSocket);
    const siblings = Array.from({ length: threadsPerCore }, (_, t) => core + t * physical);
    const topo = path.join(base, `cpu${cpu}`, 'topology');
    put(path.join(topo, 'physical_package_id'), `${socket}\n`);
    put(path.join(topo, 'core_id'), `${core % coresPerSocket}\n`);
    put(path.join(topo, 'thread_siblings_list'), `${siblings.join(',')}\n`);
    put(path.join(base, `cpu${cpu}`, `node${socket}`, '.keep'), '');
  }
  for (let s = 0; s < sockets; s++) {
    const cpus = Array.from({ length: total }, (_, c) => c).filter(
      (c) => Math.floor((c % physical) / coresPerSocket) === s,
    );
    put(path.join(sys, 'devices', 'system', 'node', `node${s}`, 'cpulist'), `${cpus.join(',')}\n`);
  }
}
