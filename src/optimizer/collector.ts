import type { DockerClient } from '../ops/sources/docker-types.js';
import { readContainers } from './sources/containers.js';
import { readHost, type CpuTimes } from './sources/host.js';
import { readLoadedModels } from './sources/ollama.js';
import type { CgroupLocations } from './sources/cgroup.js';
import { readAllProcesses, readProcess, treeUsage, type ProcStat } from './sources/processes.js';
import { seriesName, type Point, type SystemRoots } from './types.js';

export interface CollectorOptions {
  roots: SystemRoots;
  dataDir: string;
  /** The platform's own pid (process.pid in production). */
  platformPid: number;
  /** Running MCP servers and the root pids of their instances. */
  mcpServers?: () => Array<{ name: string; pids: readonly number[] }>;
  docker?: DockerClient;
  /** Base URL of an Ollama server whose /api/ps is read. */
  ollamaUrl?: string;
  sourceTimeoutMs: number;
  /** Wall clock in ms; injectable so CPU rates are exact in tests. */
  now?: () => number;
}

export type SourceName = 'host' | 'process' | 'mcp' | 'containers' | 'models';

export interface CollectResult {
  at: number;
  points: Point[];
  /** Sources that failed this pass, with a short reason (no stack, no secrets). */
  failed: Partial<Record<SourceName, string>>;
}

/**
 * Reads every source once per pass and turns cumulative CPU counters into rates against the
 * previous pass (so the first pass yields memory but no CPU). A counter that went backwards
 * (a restarted container, a child that exited) starts over instead of reporting a negative rate.
 */
export class Collector {
  private prevCpu = new Map<string, { seconds: number; at: number }>();
  /** Keys read this pass: counters of subjects that went away are forgotten (bounded state). */
  private touched = new Set<string>();
  private cgroupLocations: CgroupLocations = new Map();
  private prevCores = new Map<string, CpuTimes>();
  private readonly now: () => number;

  constructor(private readonly options: CollectorOptions) {
    this.now = options.now ?? Date.now;
  }

  async collect(): Promise<CollectResult> {
    const at = this.now();
    const points: Point[] = [];
    const failed: CollectResult['failed'] = {};
    const guard = async (source: SourceName, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        failed[source] = (err instanceof Error ? err.message : String(err)).slice(0, 200);
      }
    };
    let hostTotal = 0;
    await guard('host', async () => {
      hostTotal = await this.host(points);
    });
    // The whole process table only when an MCP server's tree must be walked; else just our pid.
    const servers = (this.options.mcpServers?.() ?? []).filter((s) => s.pids.length);
    const procs = servers.length
      ? readAllProcesses(this.options.roots.proc)
      : [readProcess(this.options.roots.proc, this.options.platformPid)].filter((p): p is ProcStat => !!p);
    await guard('process', async () => this.processes(at, procs, points));
    await guard('mcp', async () => this.mcp(at, servers, procs, points));
    if (this.options.docker) await guard('containers', async () => this.containers(at, hostTotal, points));
    if (this.options.ollamaUrl) await guard('models', async () => this.models(points));
    for (const key of this.prevCpu.keys()) if (!this.touched.has(key)) this.prevCpu.delete(key);
    this.touched.clear();
    return { at, points, failed };
  }

  /** CPU cores used since the previous reading of `key`, or undefined on the first/reset reading. */
  private rate(key: string, seconds: number, at: number): number | undefined {
    const prev = this.prevCpu.get(key);
    this.touched.add(key);
    this.prevCpu.set(key, { seconds, at });
    if (!prev || at <= prev.at || seconds < prev.seconds) return undefined;
    return (seconds - prev.seconds) / ((at - prev.at) / 1000);
  }

  private async host(points: Point[]): Promise<number> {
    const h = await readHost(this.options.roots.proc, this.options.dataDir);
    let busyCores = 0;
    let cores = 0;
    for (const [cpu, times] of h.cpus) {
      const prev = this.prevCores.get(cpu);
      this.prevCores.set(cpu, times);
      if (!prev || times.total <= prev.total) continue;
      const busy = Math.min(1, Math.max(0, (times.busy - prev.busy) / (times.total - prev.total)));
      points.push({ series: seriesName('host', 'cpu_busy', cpu), value: busy });
      busyCores += busy;
      cores++;
    }
    if (cores) points.push({ series: seriesName('host', 'cpu_cores', 'host'), value: busyCores });
    if (h.memory) {
      points.push({ series: seriesName('host', 'memory_bytes', 'host'), value: h.memory.usedBytes });
      points.push({ series: seriesName('host', 'memory_limit_bytes', 'host'), value: h.memory.totalBytes });
    }
    for (const [kind, p] of Object.entries(h.pressure)) {
      points.push({ series: seriesName('host', 'pressure_some', kind), value: p.some });
      if (p.full !== undefined)
        points.push({ series: seriesName('host', 'pressure_full', kind), value: p.full });
    }
    if (h.disk) {
      points.push({ series: seriesName('host', 'disk_bytes', 'data'), value: h.disk.usedBytes });
      points.push({ series: seriesName('host', 'disk_limit_bytes', 'data'), value: h.disk.totalBytes });
    }
    return h.memory?.totalBytes ?? 0;
  }

  private pushTree(
    kind: 'process' | 'mcp',
    subject: string,
    at: number,
    roots: readonly number[],
    procs: ProcStat[],
    points: Point[],
  ) {
    const usage = treeUsage(roots, procs);
    if (!usage) return;
    points.push({ series: seriesName(kind, 'memory_bytes', subject), value: usage.rssBytes });
    const cpu = this.rate(`${kind}:${subject}`, usage.cpuSeconds, at);
    if (cpu !== undefined) points.push({ series: seriesName(kind, 'cpu_cores', subject), value: cpu });
  }

  private async processes(at: number, procs: ProcStat[], points: Point[]): Promise<void> {
    // The platform alone, not its MCP children: those are their own series.
    const self = procs.find((p) => p.pid === this.options.platformPid);
    if (!self) throw new Error(`pid ${this.options.platformPid} not found under ${this.options.roots.proc}`);
    this.pushTree('process', 'sutazai', at, [self.pid], [self], points);
  }

  private async mcp(
    at: number,
    servers: Array<{ name: string; pids: readonly number[] }>,
    procs: ProcStat[],
    points: Point[],
  ): Promise<void> {
    for (const server of servers) this.pushTree('mcp', server.name, at, server.pids, procs, points);
  }

  private async containers(at: number, hostTotal: number, points: Point[]): Promise<void> {
    const docker = this.options.docker!;
    const list = await withTimeout(
      readContainers(docker, this.options.roots.cgroup, this.cgroupLocations),
      this.options.sourceTimeoutMs * 4,
    );
    for (const c of list) {
      points.push({ series: seriesName('container', 'memory_bytes', c.name), value: c.workingSetBytes });
      // The engine reports the host's memory as the limit of an unlimited container.
      const limit = c.source === 'engine' && hostTotal && c.limitBytes >= hostTotal ? 0 : c.limitBytes;
      if (limit > 0)
        points.push({ series: seriesName('container', 'memory_limit_bytes', c.name), value: limit });
      if (c.cpuSeconds !== undefined) {
        const cpu = this.rate(`container:${c.id}`, c.cpuSeconds, at);
        if (cpu !== undefined)
          points.push({ series: seriesName('container', 'cpu_cores', c.name), value: cpu });
      }
    }
  }

  private async models(points: Point[]): Promise<void> {
    for (const m of await readLoadedModels(this.options.ollamaUrl!, this.options.sourceTimeoutMs)) {
      points.push({ series: seriesName('model', 'memory_bytes', m.name), value: m.sizeBytes });
      points.push({ series: seriesName('model', 'vram_bytes', m.name), value: m.vramBytes });
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
