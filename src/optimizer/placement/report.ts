import type { OptimizerConfig } from '../../config/schema.js';
import type { Queryable } from '../../db/types.js';
import type { DockerClient } from '../../ops/sources/docker-types.js';
import { availableParallelism } from 'node:os';
import { readTopology, type Topology } from '../topology.js';
import { sanitizeSubject } from '../types.js';
import { placementFindings } from './rules.js';
import { nodeOf, placementSuggestion } from './suggest.js';
import type { ContainerCpuset, EngineState, PlacementInput, PlacementReport } from './types.js';
import { readCpuUsage } from './usage.js';

/** Most containers whose cpuset one report inspects (one engine call each). */
export const MAX_INSPECTED_CONTAINERS = 200;

/** The report from gathered input: pure, so tests give it synthetic histories and topologies. */
export function buildPlacement(input: PlacementInput, now = Date.now()): PlacementReport {
  const t = input.topology;
  return {
    generatedAt: new Date(now).toISOString(),
    windowMs: input.windowMs,
    topology: {
      cpus: t.logicalCpus.length,
      physicalCores: t.cores.map((c) => ({
        id: `${c.socket}:${c.core}`,
        cpus: c.cpus,
        node: nodeOf(t, c.cpus[0]!),
      })),
      numaNodes: Math.max(1, t.numaNodes.length),
    },
    perCore: t.logicalCpus.map((cpu) => {
      const s = input.cores.get(cpu);
      return { cpu, mean: s?.mean ?? 0, p95: s?.p95 ?? 0, samples: s?.samples ?? 0 };
    }),
    findings: placementFindings(input),
    suggestion: placementSuggestion(input),
    engine: input.engine,
  };
}

/** Running containers and their cpusets from the engine, or why there are none. */
export async function readCpusets(
  docker: DockerClient | undefined,
): Promise<{ containers: ContainerCpuset[] | null; engine: EngineState }> {
  if (!docker) return { containers: null, engine: { available: false, reason: 'no engine configured' } };
  try {
    const list = (await docker.listContainers({ all: false })).slice(0, MAX_INSPECTED_CONTAINERS);
    const containers: ContainerCpuset[] = [];
    for (const c of list) {
      const info = await docker.inspectContainer(c.Id).catch(() => undefined);
      if (info)
        containers.push({
          name: sanitizeSubject(info.Name.replace(/^\//, '')),
          cpuset: info.HostConfig.CpusetCpus ?? '',
        });
    }
    return { containers, engine: { available: true } };
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).slice(0, 200);
    return { containers: null, engine: { available: false, reason } };
  }
}

export interface PlacementDeps {
  db: Queryable;
  config: OptimizerConfig;
  docker?: DockerClient;
}

/** GET /api/v1/optimizer/placement and `sutazai optimize placement`: stored history + /sys + engine. */
export async function placementReport(
  deps: PlacementDeps,
  opts: { windowMs?: number } = {},
  now = Date.now(),
): Promise<PlacementReport> {
  const windowMs = opts.windowMs ?? deps.config.placement.windowMs;
  const [usage, engine] = await Promise.all([readCpuUsage(deps.db, windowMs, now), readCpusets(deps.docker)]);
  return buildPlacement(
    {
      windowMs,
      topology: hostTopology(deps.config.sysRoot),
      cores: usage.cores,
      containerUsage: usage.containers,
      containers: engine.containers,
      engine: engine.engine,
      thresholds: deps.config.placement,
    },
    now,
  );
}

/** /sys when readable; else every CPU Node sees as a core of its own (one socket, no NUMA). */
function hostTopology(sysRoot: string): Topology {
  try {
    return readTopology(sysRoot);
  } catch {
    const cpus = Array.from({ length: availableParallelism() }, (_, i) => i);
    return {
      logicalCpus: cpus,
      sockets: 1,
      cores: cpus.map((c) => ({ socket: 0, core: c, cpus: [c] })),
      numaNodes: [],
    };
  }
}
