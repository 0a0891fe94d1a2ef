import { ruleById } from '../rules/catalogue.js';
import { severityRank, type Finding, type Report, type Severity } from '../types.js';

const COLORS: Record<Severity, string> = {
  critical: '\x1b[1;31m',
  high: '\x1b[31m',
  medium: '\x1b[33m',
  low: '\x1b[36m',
  info: '\x1b[2m',
};
const RESET = '\x1b[0m';

export interface TableOptions {
  /** False when NO_COLOR is set or the output is not a terminal. */
  color: boolean;
  showSuppressed?: boolean;
}

/** Colour is on only for a TTY and only when NO_COLOR is unset or empty (no-color.org). */
export function useColor(env: NodeJS.ProcessEnv, isTty: boolean): boolean {
  return isTty && !env.NO_COLOR;
}

function groupByService(findings: Finding[]): Array<[string, Finding[]]> {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) groups.set(f.service, [...(groups.get(f.service) ?? []), f]);
  const worst = (list: Finding[]) =>
    Math.max(...list.map((f) => (f.suppressed ? 0 : severityRank(f.severity))));
  return [...groups.entries()].sort((a, b) => worst(b[1]) - worst(a[1]) || a[0].localeCompare(b[0]));
}

function line(f: Finding, color: boolean): string {
  const sev = f.suppressed ? 'suppressed' : f.severity.toUpperCase();
  const paint = (s: string) => (color && !f.suppressed ? `${COLORS[f.severity]}${s}${RESET}` : s);
  const where = f.location ? `  (${f.location.file}:${f.location.line})` : '';
  const why = f.suppressed ? `  [suppressed: ${f.suppressed.reason}]` : '';
  return `  ${paint(sev.padEnd(10))} ${f.ruleId.padEnd(18)} ${f.message}${where}${why}`;
}

/** The human report: findings grouped by service, the most severe group first. */
export function renderTable(report: Report, opts: TableOptions): string {
  const out: string[] = [];
  out.push(`sutazai doctor — project ${report.project ?? '(none)'} — ${report.generatedAt}`);
  for (const s of report.sources)
    if (s.status !== 'ok' && s.status !== 'skipped')
      out.push(`  source ${s.name}: ${s.status}${s.reason ? ` (${s.reason})` : ''}`);
  const shown = report.findings.filter((f) => opts.showSuppressed !== false || !f.suppressed);
  if (shown.length === 0) out.push('', 'No findings.');
  for (const [service, list] of groupByService(shown)) {
    out.push('', opts.color ? `\x1b[1m${service}${RESET}` : service);
    for (const f of list) out.push(line(f, opts.color));
  }
  const b = report.summary.bySeverity;
  out.push(
    '',
    `${report.summary.total - report.summary.suppressed} finding(s): ${b.critical} critical, ${b.high} high, ${b.medium} medium, ${b.low} low, ${b.info} info; ${report.summary.suppressed} suppressed${report.partial ? '; PARTIAL view' : ''}`,
  );
  return out.join('\n') + '\n';
}

/** `--explain RULE`. */
export function explainRule(id: string): string | undefined {
  const r = ruleById(id);
  if (!r) return undefined;
  return (
    [
      `${r.id}: ${r.title}`,
      `category: ${r.category}    default severity: ${r.severity}    fix: ${r.fix}`,
      '',
      `Why: ${r.rationale}`,
      `Evidence: ${r.evidence}`,
      `Remediation: ${r.remediation}`,
    ].join('\n') + '\n'
  );
}
