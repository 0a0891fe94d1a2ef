/**
 * Shapes of the hardware optimizer's API. Resources, forecasts and placement are the server's own
 * types (type-only imports, erased from the bundle), so the page cannot drift from the routes;
 * plan/apply/rollback follow the optimizer contract until their route module's types can be
 * imported the same way.
 */
export type { History, HistoryPoint, SeriesInfo } from '../../../src/optimizer/store/history.js';
export type {
  Forecast,
  Evidence as ForecastEvidence,
  FitSummary,
} from '../../../src/optimizer/forecast/forecast.js';
export type { PlacementReport as Placement, Severity } from '../../../src/optimizer/placement/types.js';

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

/** GET/POST /api/v1/optimizer/auto: whether auto mode acts, and its latest steps. */
export type { AutoStatus } from '../../../src/optimizer/plan-schema.js';
