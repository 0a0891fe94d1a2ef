import type { PlacementConfig } from '../../config/schema.js';
import type { Topology } from '../topology.js';

/**
 * Shapes of the CPU placement rule (issue 12 item 5). The report is the body of
 * GET /api/v1/optimizer/placement as agreed in the optimizer contract; `engine` and `generatedAt`
 * are additions (optional for a client).
 */

/** CPU statistics of one series over the window: fractions of one CPU (cores for containers). */
export interface CpuStat {
  samples: number;
  mean: number;
  p95: number;
}

/** A running container as the engine reports it: its cpuset text ('' = every CPU). */
export interface ContainerCpuset {
  name: string;
  cpuset: string;
}

export interface PlacementInput {
  windowMs: number;
  topology: Topology;
  /** Per logical CPU (`host:cpu_busy:cpuN`). */
  cores: ReadonlyMap<number, CpuStat>;
  /** Per container name (`container:cpu_cores:NAME`). */
  containerUsage: ReadonlyMap<string, CpuStat>;
  /** Running containers and their cpusets; null when no engine answered. */
  containers: readonly ContainerCpuset[] | null;
  engine: EngineState;
  thresholds: PlacementConfig;
}

export interface EngineState {
  available: boolean;
  /** Why not, when unavailable (short, no secrets). */
  reason?: string;
}

export type Severity = 'low' | 'medium' | 'high';

export interface PlacementFinding {
  rule: string;
  severity: Severity;
  subject: string;
  message: string;
  evidence: Record<string, unknown>;
}

export interface CpusetSuggestion {
  target: string;
  /** Docker's CpusetCpus value; '' = leave unpinned. */
  cpuset: string;
  reason: string;
}

export interface PlacementReport {
  generatedAt: string;
  windowMs: number;
  topology: {
    cpus: number;
    physicalCores: Array<{ id: string; cpus: number[]; node: number }>;
    numaNodes: number;
  };
  perCore: Array<{ cpu: number; mean: number; p95: number; samples: number }>;
  findings: PlacementFinding[];
  suggestion: CpusetSuggestion[];
  engine: EngineState;
}
