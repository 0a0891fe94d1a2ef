/**
 * The doctor's vocabulary: severities, rule definitions, findings, source status and the report.
 * The report shape is versioned (REPORT_SCHEMA_VERSION) and described by
 * docs/schemas/doctor-report.schema.json.
 */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Higher is more severe. */
export function severityRank(s: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(s);
}

export type FixSafety = 'safe' | 'behaviour-changing' | 'manual';
export type RuleCategory = 'inventory' | 'ports' | 'resources' | 'health' | 'hygiene' | 'processes';

export interface RuleDef {
  /** Stable id, never renamed (e.g. `DOC001-phantom-service` → `phantom-service`). */
  id: string;
  title: string;
  category: RuleCategory;
  severity: Severity;
  rationale: string;
  /** What the finding prints as evidence. */
  evidence: string;
  remediation: string;
  fix: FixSafety;
}

export interface SourceLocation {
  file: string;
  line: number;
}

export interface Suppression {
  reason: string;
  /** `config` or `compose:<file>:<line>`. */
  source: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  /** Compose service name, `mcp:<name>` for platform children, or `(host)` for host-wide findings. */
  service: string;
  project?: string;
  container?: string;
  containerId?: string;
  message: string;
  evidence: Record<string, unknown>;
  location?: SourceLocation;
  suppressed?: Suppression;
  /** Stable identity for de-duplication across runs: rule + subject. */
  fingerprint: string;
}

export type SourceName = 'docker' | 'compose' | 'registry' | 'listeners' | 'processes' | 'platform';

export interface SourceStatus {
  name: SourceName;
  /** ok: read; skipped: not requested; unavailable: optional and absent; failed: could not be read. */
  status: 'ok' | 'skipped' | 'unavailable' | 'failed';
  reason?: string;
  detail?: Record<string, unknown>;
}

export const REPORT_SCHEMA_VERSION = 1;
export const DOCTOR_VERSION = '0.1.0';

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: 'sutazai-doctor'; version: string };
  generatedAt: string;
  project: string | null;
  /** True when any source failed: the view is partial and the exit code is 2. */
  partial: boolean;
  sources: SourceStatus[];
  findings: Finding[];
  summary: { total: number; suppressed: number; bySeverity: Record<Severity, number> };
}
