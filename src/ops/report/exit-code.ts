import { severityRank, type Report, type Severity } from '../types.js';

/** 0 clean; 1 a finding at or above `failOn` (suppressed ones do not count); 2 partial view. */
export function exitCodeFor(report: Report, failOn: Severity = 'high'): 0 | 1 | 2 {
  if (report.partial) return 2;
  const threshold = severityRank(failOn);
  return report.findings.some((f) => !f.suppressed && severityRank(f.severity) >= threshold) ? 1 : 0;
}

/** Why the view is partial, one line per failed source. */
export function partialReasons(report: Report): string[] {
  return report.sources.filter((s) => s.status === 'failed').map((s) => `${s.name}: ${s.reason ?? 'failed'}`);
}
