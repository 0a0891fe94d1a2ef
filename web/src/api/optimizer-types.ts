/**
 * Shapes of the hardware optimizer's API, as in the optimizer contract (briefs: resources from
 * src/optimizer/store/history.ts and forecast/forecast.ts; plan/apply/rollback from the
 * optimizer's plan routes; placement from src/optimizer/placement/types.ts). Written here until the
 * API types are generated from the OpenAPI document.
 */
export interface SeriesInfo {
  name: string;
  kind: string;
  metric: string;
  subject: string;
  lastAt: string | null;
  lastValue: number | null;
}

export interface HistoryPoint {
  t: string;
  count: number;
  min: number;
  max: number;
  mean: number;
  p95: number;
}

export interface History {
  series: string;
  from: string;
  to: string;
  step: number;
  source: 'raw' | 'rollup-300' | 'rollup-3600';
  points: HistoryPoint[];
}

export interface FitSummary {
  slopePerHour: number;
  sigma: number;
}

export type ForecastEvidence =
  | { status: 'not-enough-evidence'; reason: string }
  | {
      status: 'ok';
      fits: { theilSen: FitSummary; leastSquares: FitSummary };
      relativeError: number;
      horizon: { at: string; predicted: number; lower: number; upper: number };
      exhaustion: {
        ceiling: { bytes: number; source: string } | null;
        at: string | null;
        inSeconds: number | null;
        reason?: string;
      };
    };

export interface Forecast {
  series: string;
  window: { from: string | null; to: string | null; points: number };
  evidence: ForecastEvidence;
}

export type Severity = 'low' | 'medium' | 'high';

export interface Placement {
  generatedAt?: string;
  windowMs: number;
  topology: {
    cpus: number;
    physicalCores: Array<{ id: string; cpus: number[]; node: number }>;
    numaNodes: number;
  };
  perCore: Array<{ cpu: number; mean: number; p95: number; samples?: number }>;
  findings: Array<{
    rule: string;
    severity: Severity;
    subject: string;
    message: string;
    evidence: Record<string, unknown>;
  }>;
  suggestion: Array<{ target: string; cpuset: string; reason: string }>;
  engine?: { available: boolean; reason?: string };
}

export type PlanUnit = 'bytes' | 'cores' | 'text';

export interface PlanChange {
  id: string;
  target: { kind: 'container' | 'mcp' | 'ollama'; name: string; service?: string; composeFile?: string };
  resource: 'memory' | 'cpus' | 'env';
  current: number | string | null;
  proposed: number | string;
  unit: PlanUnit;
  reason: string;
  evidence: {
    windowMs: number;
    samples: number;
    peak?: number;
    p95?: number;
    fit?: { slopePerHour: number; residualStd: number };
    series: string[];
  };
}

export interface OptimizerPlan {
  generatedAt: string;
  mode: 'rightsize' | 'step';
  changes: PlanChange[];
  insufficient: Array<{ target: { kind: string; name: string }; reason: string }>;
}

export interface ApplyResult {
  applied: string[];
  backupId: string | null;
  verification: { ok: boolean; details: string[] };
  rolledBack: boolean;
}

export interface RollbackResult {
  restored: string[];
  failed: string[];
}
