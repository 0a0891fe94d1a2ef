import { formatSpan, mib } from '../../ops/limits/floors.js';
import type { OptimizerPlan, PlanChange } from '../plan-schema.js';

function value(c: PlanChange, v: PlanChange['current']): string {
  if (v === null) return 'none';
  if (c.unit === 'bytes') return mib(Number(v));
  if (c.unit === 'cores') return `${v} cores`;
  return String(v);
}

function evidenceLine(c: PlanChange): string {
  const e = c.evidence;
  const unit = (n: number) => (c.unit === 'bytes' || c.resource === 'env' ? mib(n) : n.toFixed(2));
  const parts = [
    `window ${formatSpan(e.windowMs)}${e.historyMs !== undefined ? ` (history ${formatSpan(e.historyMs)})` : ''}`,
    `${e.samples} samples`,
    ...(e.peak !== undefined ? [`peak ${unit(e.peak)}`] : []),
    ...(e.p95 !== undefined ? [`p95 ${unit(e.p95)}`] : []),
    ...(e.fit ? [`trend ${unit(e.fit.slopePerHour)}/h ± ${unit(e.fit.residualStd)}`] : []),
  ];
  return parts.join(', ');
}

/** `sutazai optimize plan`: each change with its evidence; then what cannot be judged yet. */
export function renderPlan(plan: OptimizerPlan): string {
  const lines = [`Optimizer plan (${plan.mode}) at ${plan.generatedAt} — ${plan.changes.length} change(s)`];
  for (const c of plan.changes) {
    const where = c.target.composeFile
      ? ` [${c.target.service ?? c.target.name} in ${c.target.composeFile}]`
      : '';
    lines.push(
      `  ${c.id}${where}`,
      `    ${c.env ?? c.resource}: ${value(c, c.current)} → ${value(c, c.proposed)}`,
      `    why: ${c.reason}`,
      `    evidence: ${evidenceLine(c)}`,
    );
  }
  if (plan.insufficient.length) lines.push('', 'Not enough evidence yet:');
  for (const i of plan.insufficient) lines.push(`  ${i.target.kind}:${i.target.name}: ${i.reason}`);
  if (plan.changes.length) lines.push('', 'Apply with: sutazai optimize apply <id>... --yes');
  return `${lines.join('\n')}\n`;
}
