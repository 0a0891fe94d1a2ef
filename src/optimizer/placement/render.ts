import { fmtDuration } from '../forecast/forecast.js';
import type { PlacementReport } from './types.js';

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

/** `sutazai optimize placement` without --json. */
export function renderPlacement(r: PlacementReport): string {
  const lines = [
    `CPU placement over the last ${fmtDuration(r.windowMs)} — ${r.topology.cpus} CPUs, ${r.topology.physicalCores.length} physical cores, ${r.topology.numaNodes} NUMA node(s)`,
    r.engine.available ? 'engine: available' : `engine: unavailable (${r.engine.reason ?? 'unknown'})`,
    '',
    'CPU  MEAN     P95      SAMPLES',
    ...r.perCore.map(
      (c) => `${String(c.cpu).padEnd(4)} ${pct(c.mean).padEnd(8)} ${pct(c.p95).padEnd(8)} ${c.samples}`,
    ),
    '',
    r.findings.length ? 'Findings:' : 'Findings: none',
    ...r.findings.map((f) => `  [${f.severity}] ${f.rule} ${f.subject}: ${f.message}`),
    '',
    r.suggestion.length
      ? 'Suggested cpusets:'
      : 'Suggested cpusets: none (no container is busy enough to pin)',
    ...r.suggestion.map((s) => `  ${s.target}: ${s.cpuset || '(unpinned)'} — ${s.reason}`),
  ];
  return `${lines.join('\n')}\n`;
}
